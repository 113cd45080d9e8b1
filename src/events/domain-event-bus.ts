import { Injectable, Logger } from '@nestjs/common';
import { DomainEvent, DomainEventType, EventOfType } from './domain-event';

type Handler = (event: DomainEvent) => void | Promise<void>;

/**
 * In-process publish/subscribe of domain events, delivered after the transaction that caused
 * them has committed. A failing listener is logged and never affects the others or the caller.
 */
@Injectable()
export class DomainEventBus {
  private readonly logger = new Logger(DomainEventBus.name);
  private readonly handlers = new Map<string, Handler[]>();

  on<T extends DomainEventType>(
    type: T | '*',
    handler: (event: EventOfType<T>) => void | Promise<void>,
  ): () => void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as Handler);
    this.handlers.set(type, list);
    return () => list.splice(list.indexOf(handler as Handler), 1);
  }

  publish(events: readonly DomainEvent[]): void {
    for (const event of events) {
      for (const handler of [
        ...(this.handlers.get(event.type) ?? []),
        ...(this.handlers.get('*') ?? []),
      ]) {
        this.deliver(handler, event);
      }
    }
  }

  private deliver(handler: Handler, event: DomainEvent): void {
    try {
      const result = handler(event);
      if (result instanceof Promise) result.catch((error) => this.report(error, event));
    } catch (error) {
      this.report(error, event);
    }
  }

  private report(error: unknown, event: DomainEvent): void {
    this.logger.error(
      `listener of ${event.type} failed: ${error instanceof Error ? error.stack : String(error)}`,
    );
  }
}
