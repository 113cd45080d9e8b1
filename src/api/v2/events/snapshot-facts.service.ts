import { Injectable } from '@nestjs/common';
import { Transactions } from '../../../database/transactions.service';
import { JobView, viewOfJob } from '../../../events/domain-event';
import { JobRepository } from '../../../jobs/job.repository';
import { WorkerFacts, WorkerHealthService } from '../../../jobs/worker-health.service';

/**
 * Loads by key, in batches: the keys asked for in the same turn of the event loop are fetched
 * together (a replayed page of events asks for dozens at once).
 */
class Batcher<K, V> {
  private pending = new Map<K, Array<{ resolve: (v: V) => void; reject: (e: unknown) => void }>>();

  constructor(private readonly fetch: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      const waiting = this.pending.get(key) ?? [];
      waiting.push({ resolve, reject });
      this.pending.set(key, waiting);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    try {
      const found = await this.fetch([...batch.keys()]);
      for (const [key, waiting] of batch) for (const w of waiting) w.resolve(found.get(key)!);
    } catch (error) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(error);
    }
  }
}

/**
 * What the request and worker snapshots of events show beyond the event itself, as the
 * request and worker routes show it: a request's job, a worker's running job and failures.
 * Read when the event is sent (a replayed event: now).
 */
@Injectable()
export class SnapshotFacts {
  private readonly jobs = new Batcher<number, JobView | null>(async (ids) => {
    const rows = await this.tx.read((em) => this.jobRepository.ofRequests(em, ids));
    const byId = new Map<number, JobView | null>(ids.map((id) => [id, null]));
    for (const row of rows) byId.set(Number(row.requestId), viewOfJob(row));
    return byId;
  });
  private readonly workers = new Batcher<string, WorkerFacts>((uuids) =>
    this.health.factsOf(uuids),
  );

  constructor(
    private readonly tx: Transactions,
    private readonly health: WorkerHealthService,
    private readonly jobRepository: JobRepository,
  ) {}

  jobOf(requestId: number): Promise<JobView | null> {
    return this.jobs.load(requestId);
  }

  workerFacts(uuid: string): Promise<WorkerFacts> {
    return this.workers.load(uuid);
  }
}
