import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { DomainEventBus } from '../events/domain-event-bus';
import { RequestState } from '../requests/request-state';
import { requestBoardClass } from './board-class';

/** From a minute to a day: jobs run for the length of a test, prolonged or not. */
export const JOB_BUCKETS_SECONDS = [60, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400];

/**
 * `leshy_job_duration_seconds{board_class, outcome}`: how long a job ran (start to end),
 * observed from `job.ended` after commit. A job event does not carry its request's caps, but
 * the request's own state change out of IN PROGRESS is emitted by the same transaction just
 * before it (JobSaga.endJob), so its class is noted then and taken when the job ends.
 */
@Injectable()
export class JobDurationCollector implements OnModuleDestroy {
  private readonly unsubscribe: Array<() => void>;
  /** Request id → board class, between the request leaving IN PROGRESS and its job.ended. */
  private readonly ending = new Map<number, string>();

  constructor(registry: Registry, bus: DomainEventBus, config: AppConfig) {
    const duration = new Histogram({
      name: 'leshy_job_duration_seconds',
      help: 'Time from a job starting to it ending, by how its request ended (DONE or FAILED)',
      labelNames: ['board_class', 'outcome'],
      buckets: JOB_BUCKETS_SECONDS,
      registers: [registry],
    });
    this.unsubscribe = [
      bus.on('request.state-changed', (event) => {
        if (event.from !== RequestState.InProgress) return;
        this.ending.set(
          event.request.id,
          requestBoardClass(event.request.caps, config.boardClassCap),
        );
      }),
      bus.on('job.ended', (event) => {
        const { job } = event;
        const board_class = this.ending.get(job.requestId) ?? '(unknown)';
        this.ending.delete(job.requestId);
        const outcome = String(event.after?.outcome ?? 'unknown');
        const ended = job.endedAt ?? event.at;
        duration.observe(
          { board_class, outcome },
          Math.max(0, (ended.getTime() - job.startedAt.getTime()) / 1000),
        );
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }
}
