import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { JobExpiryWarnings } from './job-expiry-warnings.service';
import { JobsService } from './jobs.service';
import { TunnelService } from './tunnel.service';

@Module({
  imports: [KeysModule],
  providers: [JobsService, TunnelService, JobExpiryWarnings],
  exports: [JobsService, TunnelService, JobExpiryWarnings],
})
export class JobsModule {}
