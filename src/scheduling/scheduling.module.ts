import { Global, Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RequestsModule } from '../requests/requests.module';
import { RequestJobs } from '../requests/request-jobs.port';
import { WorkerJobs } from '../workers/worker-jobs.port';
import { WorkersModule } from '../workers/workers.module';
import { JobSaga } from './job-saga.service';

/**
 * The job saga. Global only for its two ports: RequestsModule and WorkersModule inject
 * RequestJobs and WorkerJobs without importing this module (they sit below it).
 */
@Global()
@Module({
  imports: [RequestsModule, WorkersModule, JobsModule],
  providers: [
    JobSaga,
    { provide: RequestJobs, useExisting: JobSaga },
    { provide: WorkerJobs, useExisting: JobSaga },
  ],
  exports: [JobSaga, RequestJobs, WorkerJobs],
})
export class SchedulingModule {}
