import { Module } from '@nestjs/common';
import { MatchAtCreate } from './match-at-create';
import { QueueSequence } from './queue-sequence';
import { RequestRepository } from './request.repository';
import { RequestWaiter } from './request-waiter';
import { RequestsService } from './requests.service';

@Module({
  providers: [RequestsService, RequestRepository, QueueSequence, MatchAtCreate, RequestWaiter],
  exports: [RequestsService, RequestRepository, MatchAtCreate, RequestWaiter],
})
export class RequestsModule {}
