import { Module } from '@nestjs/common';
import { DryadModule } from '../dryad/dryad.module';
import { KeysModule } from '../keys/keys.module';
import { JobExpiryWarnings } from './job-expiry-warnings.service';
import { JobsService } from './jobs.service';
import { TunnelService } from './tunnel.service';
import { WorkerHealthService } from './worker-health.service';

@Module({
  imports: [KeysModule, DryadModule],
  providers: [JobsService, TunnelService, JobExpiryWarnings, WorkerHealthService],
  exports: [JobsService, TunnelService, JobExpiryWarnings, WorkerHealthService],
})
export class JobsModule {}
