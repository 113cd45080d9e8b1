import { Module } from '@nestjs/common';
import { DryadModule } from '../dryad/dryad.module';
import { KeysModule } from '../keys/keys.module';
import { RequestsModule } from '../requests/requests.module';
import { WorkersModule } from '../workers/workers.module';
import { JobExpiryWarnings } from './job-expiry-warnings.service';
import { JobRepository } from './job.repository';
import { JobsService } from './jobs.service';
import { TunnelService } from './tunnel.service';
import { WorkerHealthService } from './worker-health.service';

@Module({
  imports: [KeysModule, DryadModule, RequestsModule, WorkersModule],
  providers: [JobsService, JobRepository, TunnelService, JobExpiryWarnings, WorkerHealthService],
  exports: [JobsService, JobRepository, TunnelService, JobExpiryWarnings, WorkerHealthService],
})
export class JobsModule {}
