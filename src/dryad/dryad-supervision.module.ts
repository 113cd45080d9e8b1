import { Module } from '@nestjs/common';
import { WorkersModule } from '../workers/workers.module';
import { DryadModule } from './dryad.module';
import { DryadSupervisor } from './dryad-supervisor.service';
import { FailedWorkerRecovery } from './failed-worker-recovery.service';

/** Watching agents (lost connections, periodic health checks); separate to keep workers → dryad one-way. */
@Module({
  imports: [DryadModule, WorkersModule],
  providers: [DryadSupervisor, FailedWorkerRecovery],
  exports: [DryadSupervisor, FailedWorkerRecovery],
})
export class DryadSupervisionModule {}
