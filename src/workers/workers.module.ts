import { Module } from '@nestjs/common';
import { DryadModule } from '../dryad/dryad.module';
import { KeysModule } from '../keys/keys.module';
import { WorkerHealthService } from './worker-health.service';
import { WorkerOperations } from './worker-operations.service';
import { WorkersService } from './workers.service';

@Module({
  imports: [KeysModule, DryadModule],
  providers: [WorkersService, WorkerOperations, WorkerHealthService],
  exports: [WorkersService, WorkerOperations, WorkerHealthService],
})
export class WorkersModule {}
