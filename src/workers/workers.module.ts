import { Module } from '@nestjs/common';
import { DryadModule } from '../dryad/dryad.module';
import { KeysModule } from '../keys/keys.module';
import { WorkerOperations } from './worker-operations.service';
import { WorkerRepository } from './worker.repository';
import { WorkersService } from './workers.service';

@Module({
  imports: [KeysModule, DryadModule],
  providers: [WorkersService, WorkerRepository, WorkerOperations],
  exports: [WorkersService, WorkerRepository, WorkerOperations],
})
export class WorkersModule {}
