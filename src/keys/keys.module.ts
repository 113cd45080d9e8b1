import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobKeyPool } from './job-key-pool.service';
import { SecretBox } from './secret-box';
import { ServerSshKeyService } from './server-ssh-key.service';
import { loadServerSecret } from './server-secret';

/** Keys: the server secret and its sealing box, and the pool of job key pairs. */
@Module({
  providers: [
    JobKeyPool,
    ServerSshKeyService,
    {
      provide: SecretBox,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new SecretBox(loadServerSecret(config)),
    },
  ],
  exports: [JobKeyPool, SecretBox, ServerSshKeyService],
})
export class KeysModule {}
