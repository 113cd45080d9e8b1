import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { BoardClass, requestBoardClass, workerBoardClass } from '../metrics/board-class';
import { countWaitingByCap } from '../metrics/lab-census.query';
import { RequestState } from '../requests/request-state';
import { WorkerEntity } from '../workers/worker.entity';
import { WorkerState } from '../workers/worker-state';
import type { BoardClassStats, BoardClassStatsAnswer } from './board-class-stats';
import { median } from './median';
import { recentJobs } from './recent-jobs.query';

/** The statistics look back this far (the dashboard's "lately"). */
export const STATS_WINDOW_MS = 24 * 60 * 60 * 1000;

function empty(boardClass: string): BoardClassStats {
  return {
    boardClass,
    workers: 0,
    idle: 0,
    used: 0,
    busy: 0,
    unavailable: 0,
    waiting: 0,
    medianWaitSeconds: null,
    medianJobSeconds: null,
    jobsEnded: 0,
    jobsFailed: 0,
    failureRate: null,
  };
}

/**
 * Per board class statistics (as Poseidon keeps per execution environment), with the board
 * class of /metrics: the value of cap LESHY_BOARD_CLASS_CAP. Workers and their jobs count
 * under the worker's class; waiting requests under the class they ask for, `(any)` when they
 * ask for none and `(other)` when no registered worker has the class they ask for, as the
 * `leshy_queue_depth` gauge counts them.
 */
@Injectable()
export class BoardClassStatsService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async compute(): Promise<BoardClassStatsAnswer> {
    const key = this.config.boardClassCap;
    const since = this.clock.now().getTime() - STATS_WINDOW_MS;
    const [workers, waiting, jobs] = await this.tx.read((em) =>
      Promise.all([
        em.find(WorkerEntity, { select: { uuid: true, state: true, caps: true } }),
        countWaitingByCap(em, key),
        recentJobs(em, since),
      ]),
    );
    const classes = new Map<string, BoardClassStats>();
    const of = (name: string) => {
      let entry = classes.get(name);
      if (!entry) classes.set(name, (entry = empty(name)));
      return entry;
    };
    const classOfWorker = new Map<string, string>();
    for (const worker of workers) {
      const name = workerBoardClass(worker.caps, key);
      classOfWorker.set(worker.uuid, name);
      const entry = of(name);
      entry.workers++;
      if (worker.state === WorkerState.Idle) entry.idle++;
      else if (worker.state === WorkerState.Running) entry.used++;
      else if (worker.state === WorkerState.Prepare || worker.state === WorkerState.Busy)
        entry.busy++;
      else entry.unavailable++;
    }
    for (const row of waiting) {
      const name =
        row.value === null ? BoardClass.Any : classes.has(row.value) ? row.value : BoardClass.Other;
      of(name).waiting += row.count;
    }
    const waits = new Map<string, number[]>();
    const lengths = new Map<string, number[]>();
    const push = (map: Map<string, number[]>, name: string, value: number) =>
      map.set(name, [...(map.get(name) ?? []), value]);
    for (const job of jobs) {
      // A deregistered worker's jobs count under the class their request asked for.
      const name = classOfWorker.get(job.workerUuid) ?? requestBoardClass(job.requestCaps, key);
      const entry = of(name);
      if (job.startedAt >= since)
        push(waits, name, Math.max(0, job.startedAt - job.requestCreatedAt) / 1000);
      if (job.endedAt !== null && job.endedAt >= since) {
        push(lengths, name, Math.max(0, job.endedAt - job.startedAt) / 1000);
        entry.jobsEnded++;
        if (job.requestState === RequestState.Failed) entry.jobsFailed++;
      }
    }
    for (const entry of classes.values()) {
      entry.medianWaitSeconds = median(waits.get(entry.boardClass) ?? []);
      entry.medianJobSeconds = median(lengths.get(entry.boardClass) ?? []);
      entry.failureRate = entry.jobsEnded ? entry.jobsFailed / entry.jobsEnded : null;
    }
    return {
      cap: key,
      windowSeconds: STATS_WINDOW_MS / 1000,
      classes: [...classes.values()].sort((a, b) => a.boardClass.localeCompare(b.boardClass)),
    };
  }
}
