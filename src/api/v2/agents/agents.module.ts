import { Module } from '@nestjs/common';
import { KeysModule } from '../../../keys/keys.module';
import { WorkersModule } from '../../../workers/workers.module';
import { AgentsController } from './agents.controller';

@Module({
  imports: [WorkersModule, KeysModule],
  controllers: [AgentsController],
})
export class AgentsApiModule {}
