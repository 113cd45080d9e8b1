import { Global, Module } from '@nestjs/common';
import { DomainEventBus } from './domain-event-bus';

/** The domain event bus: one per application, used by every feature module. */
@Global()
@Module({ providers: [DomainEventBus], exports: [DomainEventBus] })
export class EventsModule {}
