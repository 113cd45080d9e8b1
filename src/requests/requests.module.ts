import { Module } from '@nestjs/common';
import { MatchAtCreate } from './match-at-create';
import { NoteAtCreate } from './note-at-create';
import { QueueSequence } from './queue-sequence';
import { requestIdsProvider } from './request-ids';
import { RequestRepository } from './request.repository';
import { RequestWaiter } from './request-waiter';
import { RequestsService } from './requests.service';

@Module({
  providers: [
    RequestsService,
    RequestRepository,
    QueueSequence,
    requestIdsProvider,
    MatchAtCreate,
    NoteAtCreate,
    RequestWaiter,
  ],
  exports: [RequestsService, RequestRepository, MatchAtCreate, NoteAtCreate, RequestWaiter],
})
export class RequestsModule {}
