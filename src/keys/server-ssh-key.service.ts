import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { Transactions } from '../database/transactions.service';
import { SecretBox } from './secret-box';
import { ServerSettingEntity } from './server-setting.entity';

const SETTING = 'server-ssh-key';

interface ServerSshKey {
  /** OpenSSH private key (ed25519). */
  private: string;
  /** OpenSSH public key line, what agents learn at registration. */
  public: string;
}

/**
 * The server's own SSH key pair, the only key agents accept for control commands. Generated on
 * first start and kept sealed in the database, so every restart (and every instance sharing a
 * PostgreSQL database) uses the same key.
 */
@Injectable()
export class ServerSshKeyService implements OnModuleInit {
  private readonly logger = new Logger(ServerSshKeyService.name);
  private key!: ServerSshKey;

  constructor(
    private readonly tx: Transactions,
    private readonly box: SecretBox,
  ) {}

  async onModuleInit(): Promise<void> {
    this.key = await this.tx.run('system:keys', async (uow) => {
      const stored = await uow.em.findOne(ServerSettingEntity, { where: { name: SETTING } });
      if (stored) return this.box.open<ServerSshKey>(stored.value);
      const pair = generateEd25519KeyPair('leshy-server');
      const key = { private: pair.private, public: pair.public.trim() };
      await uow.em.insert(ServerSettingEntity, { name: SETTING, value: this.box.seal(key) });
      this.logger.log('generated the server SSH key');
      return key;
    });
  }

  get privateKey(): string {
    return this.key.private;
  }

  get publicKey(): string {
    return this.key.public;
  }
}
