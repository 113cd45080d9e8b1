import { Module } from '@nestjs/common';
import { MatchAtCreate } from './match-at-create';
import { QueueSequence } from './queue-sequence';
import { RequestWaiter } from './request-waiter';
import { RequestsService } from './requests.service';

@Module({
  providers: [RequestsService, QueueSequence, MatchAtCreate, RequestWaiter],
  exports: [RequestsService, MatchAtCreate, RequestWaiter],
})
export class RequestsModule {}
