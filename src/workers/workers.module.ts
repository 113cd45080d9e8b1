import { Module } from '@nestjs/common';
import { DryadModule } from '../dryad/dryad.module';
import { KeysModule } from '../keys/keys.module';
import { WorkerOperations } from './worker-operations.service';
import { WorkersService } from './workers.service';

@Module({
  imports: [KeysModule, DryadModule],
  providers: [WorkersService, WorkerOperations],
  exports: [WorkersService, WorkerOperations],
})
export class WorkersModule {}
