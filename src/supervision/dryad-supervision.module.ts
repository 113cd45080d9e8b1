import { Module } from '@nestjs/common';
import { WorkersModule } from '../workers/workers.module';
import { DryadModule } from '../dryad/dryad.module';
import { DryadSupervisor } from './dryad-supervisor.service';
import { FailedWorkerRecovery } from './failed-worker-recovery.service';

/**
 * Watching agents (lost connections, periodic health checks, bringing failed boards back).
 * Above workers/ and dryad/, so workers → dryad stays one-way.
 */
@Module({
  imports: [DryadModule, WorkersModule],
  providers: [DryadSupervisor, FailedWorkerRecovery],
  exports: [DryadSupervisor, FailedWorkerRecovery],
})
export class DryadSupervisionModule {}
