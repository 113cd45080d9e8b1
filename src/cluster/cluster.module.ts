import { Module } from '@nestjs/common';
import { EventRelay } from './event-relay.service';

/** Several server instances on one PostgreSQL database: events reach every instance. */
@Module({ providers: [EventRelay], exports: [EventRelay] })
export class ClusterModule {}
