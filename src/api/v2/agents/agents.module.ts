import { Module } from '@nestjs/common';
import { KeysModule } from '../../../keys/keys.module';
import { WorkersModule } from '../../../workers/workers.module';
import { AgentsController } from './agents.controller';
import { AgentTokenGuard } from './agent-token.guard';

@Module({
  imports: [WorkersModule, KeysModule],
  controllers: [AgentsController],
  providers: [AgentTokenGuard],
})
export class AgentsApiModule {}
