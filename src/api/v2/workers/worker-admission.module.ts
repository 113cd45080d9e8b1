import { Module } from '@nestjs/common';
import { WorkersModule } from '../../../workers/workers.module';
import { InterimAdminGuard } from './interim-admin.guard';
import { WorkerAdmissionController } from './worker-admission.controller';

@Module({
  imports: [WorkersModule],
  controllers: [WorkerAdmissionController],
  providers: [InterimAdminGuard],
})
export class WorkerAdmissionModule {}
