import { Module } from '@nestjs/common';
import { DryadModule } from '../dryad/dryad.module';
import { KeysModule } from '../keys/keys.module';
import { JobExpiryWarnings } from './job-expiry-warnings.service';
import { JobsService } from './jobs.service';
import { TunnelService } from './tunnel.service';

@Module({
  imports: [KeysModule, DryadModule],
  providers: [JobsService, TunnelService, JobExpiryWarnings],
  exports: [JobsService, TunnelService, JobExpiryWarnings],
})
export class JobsModule {}
