import { Module } from '@nestjs/common';
import { WorkersModule } from '../../../workers/workers.module';
import { WorkerAdmissionController } from './worker-admission.controller';

@Module({
  imports: [WorkersModule],
  controllers: [WorkerAdmissionController],
})
export class WorkerAdmissionModule {}
