import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import * as path from 'node:path';
import { FatalStartupError } from '../common/fatal-startup-error';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { SecretBox, WrongSecretError } from './secret-box';
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
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.key = await this.tx.run('system:keys', async (uow) => {
      const stored = await uow.em.findOne(ServerSettingEntity, { where: { name: SETTING } });
      if (stored) return this.unseal(stored.value);
      const pair = generateEd25519KeyPair('leshy-server');
      const key = { private: pair.private, public: pair.public.trim() };
      await uow.em.insert(ServerSettingEntity, { name: SETTING, value: this.box.seal(key) });
      this.logger.log('generated the server SSH key');
      return key;
    });
  }

  /** The first sealed value read at start-up: where a secret that does not match shows. */
  private unseal(sealed: string): ServerSshKey {
    try {
      return this.box.open<ServerSshKey>(sealed);
    } catch (error) {
      if (!(error instanceof WrongSecretError)) throw error;
      const file = path.join(this.config.dataDir, 'secret.key');
      const used = this.config.secret ? 'LESHY_SECRET' : `the secret in ${file}`;
      throw new FatalStartupError(
        `This database was sealed with another secret than ${used}: set the same LESHY_SECRET on every instance that uses it (or the one in ${file} of the instance that first started on it).`,
        { cause: error },
      );
    }
  }

  get privateKey(): string {
    return this.key.private;
  }

  get publicKey(): string {
    return this.key.public;
  }
}
