import { Module } from '@nestjs/common';
import { WorkersModule } from '../../../workers/workers.module';
import { WorkersV2Controller } from './workers-v2.controller';

@Module({
  imports: [WorkersModule],
  controllers: [WorkersV2Controller],
})
export class WorkersApiModule {}
