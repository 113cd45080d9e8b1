import { Module } from '@nestjs/common';
import { JobsModule } from '../../../jobs/jobs.module';
import { KeysModule } from '../../../keys/keys.module';
import { WorkersModule } from '../../../workers/workers.module';
import { AgentsController } from './agents.controller';

@Module({
  imports: [WorkersModule, KeysModule, JobsModule],
  controllers: [AgentsController],
})
export class AgentsApiModule {}
