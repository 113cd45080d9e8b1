import { Global, Module } from '@nestjs/common';
import { RequestJobs } from '../requests/request-jobs.port';
import { WorkerJobs } from '../workers/worker-jobs.port';
import { JobSaga } from './job-saga.service';

/**
 * The job saga. Global only for its two ports: RequestsModule and WorkersModule inject
 * RequestJobs and WorkerJobs without importing this module (they sit below it).
 */
@Global()
@Module({
  providers: [
    JobSaga,
    { provide: RequestJobs, useExisting: JobSaga },
    { provide: WorkerJobs, useExisting: JobSaga },
  ],
  exports: [JobSaga, RequestJobs, WorkerJobs],
})
export class SchedulingModule {}
