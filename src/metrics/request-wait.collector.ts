import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { DomainEventBus } from '../events/domain-event-bus';
import { RequestState } from '../requests/request-state';
import { requestBoardClass } from './board-class';

/** From seconds to days: a request may be served at once or wait for a board over a weekend. */
export const WAIT_BUCKETS_SECONDS = [
  1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400, 259200,
];

/**
 * `leshy_request_wait_seconds{board_class}`: how long a request waited from its creation until
 * it went IN PROGRESS, observed from `request.state-changed` after commit (by the instance that
 * committed it). The class label is bounded: a request only goes IN PROGRESS on a worker whose
 * cap has the same value, and a request that asked with a rule (API v2) is `(rich)`.
 */
@Injectable()
export class RequestWaitCollector implements OnModuleDestroy {
  private readonly unsubscribe: () => void;

  constructor(registry: Registry, bus: DomainEventBus, config: AppConfig) {
    const wait = new Histogram({
      name: 'leshy_request_wait_seconds',
      help: 'Time from a request being created to it going IN PROGRESS',
      labelNames: ['board_class'],
      buckets: WAIT_BUCKETS_SECONDS,
      registers: [registry],
    });
    this.unsubscribe = bus.on('request.state-changed', (event) => {
      if (event.to !== RequestState.InProgress) return;
      const seconds = (event.at.getTime() - event.request.createdAt.getTime()) / 1000;
      wait.observe(
        { board_class: requestBoardClass(event.request.caps, config.boardClassCap) },
        Math.max(0, seconds),
      );
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
