import { Module } from '@nestjs/common';
import { ExplainService } from './explain.service';

@Module({
  providers: [ExplainService],
  exports: [ExplainService],
})
export class ExplainModule {}
