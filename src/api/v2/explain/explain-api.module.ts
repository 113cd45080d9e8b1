import { Module } from '@nestjs/common';
import { ExplainModule } from '../../../explain/explain.module';
import { ExplainController } from './explain.controller';

@Module({
  imports: [ExplainModule],
  controllers: [ExplainController],
})
export class ExplainApiModule {}
