import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { LOCK_SPACE, LOCKS } from '../database/advisory-locks';
import { DryadSupervisor } from '../supervision/dryad-supervisor.service';
import { FailedWorkerRecovery } from '../supervision/failed-worker-recovery.service';
import { MatcherService } from '../matcher/matcher.service';
import { Timekeeper } from '../timekeeper/timekeeper.service';
import { WorkerOperations } from '../workers/worker-operations.service';
import { InstanceIdentity } from './instance-identity';

/** What the scheduling instance runs, and stops when it no longer schedules. */
interface SchedulingDuty {
  startScheduling(): Promise<void>;
  stopScheduling(): Promise<void>;
}

/** Followers try for the lock this often; the holder checks its connection as often. */
const ELECTION_INTERVAL_MS = 1_000;
/** A lock connection that does not answer within this long is taken as lost. */
const HEARTBEAT_TIMEOUT_MS = 3_000;
/**
 * An instance that just lost the lead waits this long before trying again, so the others (whose
 * connections did not break) take over first.
 */
const STEP_BACK_MS = 3_000;
const APPLICATION_NAME = 'leshy-scheduler:';

export interface SchedulerStatus {
  /** The instance that schedules (null: none right now, e.g. during a failover). */
  instance: string | null;
  thisInstance: string;
  schedulesHere: boolean;
  since: string | null;
}

/**
 * Exactly one instance at a time runs the matcher, the timers, the health checks and the agent
 * operations; every instance serves the API. On PostgreSQL the scheduler is whoever holds a
 * session advisory lock on a connection of its own: PostgreSQL is the arbiter, and the lock goes
 * with the connection, so a scheduler that dies or is cut off releases it. Followers try for it
 * every second. Taking over starts the duties as a fresh start does (indexes, timers and PREPARE/
 * BUSY workers rebuilt from the database); a broken lock connection stops them at once. On SQLite
 * there is one instance, and it schedules.
 */
@Injectable()
export class SchedulerElection
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(SchedulerElection.name);
  private readonly duties: Array<[string, SchedulingDuty]>;
  private leading = false;
  private since: Date | null = null;
  private client: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Gaining, checking and losing the lead happen one at a time, in order. */
  private changes: Promise<void> = Promise.resolve();
  private stopped = false;
  private notBefore = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly instance: InstanceIdentity,
    private readonly dataSource: DataSource,
    matcher: MatcherService,
    timekeeper: Timekeeper,
    operations: WorkerOperations,
    supervisor: DryadSupervisor,
    recovery: FailedWorkerRecovery,
  ) {
    // In this order: indexes before timers (validAfter wakes the matcher), agents last.
    this.duties = [
      ['matcher', matcher],
      ['timekeeper', timekeeper],
      ['worker operations', operations],
      ['agent supervision', supervisor],
      ['failed-worker recovery', recovery],
    ];
  }

  get schedulesHere(): boolean {
    return this.leading;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.kind !== 'postgres') {
      // The only instance: a duty that cannot start fails the start-up, as it always did.
      await this.gain(true);
      return;
    }
    await this.enqueue(() => this.elect());
    this.timer = setInterval(() => void this.enqueue(() => this.elect()), ELECTION_INTERVAL_MS);
    this.timer.unref();
  }

  /** The duties stop by their own shutdown hooks; no new election starts. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.changes;
  }

  /** Ending the connection releases the lock: a follower takes over within a second. */
  async onApplicationShutdown(): Promise<void> {
    await this.dropConnection();
  }

  /**
   * Who schedules, read from PostgreSQL's lock table (the holder's application_name); instance
   * null when nobody holds the lock or the database does not answer.
   */
  async status(): Promise<SchedulerStatus> {
    const here = {
      thisInstance: this.instance.id,
      schedulesHere: this.leading,
      since: this.since?.toISOString() ?? null,
    };
    if (this.config.database.kind !== 'postgres' || this.leading)
      return { instance: this.leading ? this.instance.id : null, ...here };
    const rows = await this.holderQuery().catch(() => []);
    const name = rows[0]?.name;
    return {
      instance: name?.startsWith(APPLICATION_NAME) ? name.slice(APPLICATION_NAME.length) : null,
      ...here,
    };
  }

  /**
   * The holder of the scheduler lock in this database: pg_locks lists the advisory locks of
   * every database on the server, and another lab's Leshy takes the same lock in its own.
   */
  private holderQuery(): Promise<Array<{ name: string }>> {
    return this.dataSource.query<Array<{ name: string }>>(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
         AND l.classid::bigint = $1 AND l.objid::bigint = $2
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [LOCK_SPACE, LOCKS.scheduler],
    );
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.changes = this.changes.then(step).catch((error) => {
      this.logger.error(`scheduler election: ${(error as Error).stack ?? String(error)}`);
    });
    return this.changes;
  }

  /** Follower: try for the lock. Leader: make sure the lock's connection is still there. */
  private async elect(): Promise<void> {
    if (this.stopped) return;
    if (this.leading) {
      try {
        await withTimeout(this.client!.query('SELECT 1'), HEARTBEAT_TIMEOUT_MS);
      } catch (error) {
        await this.lose(`the lock connection failed: ${(error as Error).message}`);
      }
      return;
    }
    if (Date.now() < this.notBefore) return;
    try {
      const client = this.client ?? (await this.connect());
      const { rows } = await withTimeout(
        client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
          LOCK_SPACE,
          LOCKS.scheduler,
        ]),
        HEARTBEAT_TIMEOUT_MS,
      );
      if (rows[0]?.locked) await this.gain();
    } catch (error) {
      // PostgreSQL unreachable: this instance stays a follower and tries again.
      await this.dropConnection();
      this.logger.debug(`scheduler election: ${(error as Error).message}`);
    }
  }

  private async connect(): Promise<Client> {
    if (this.config.database.kind !== 'postgres') throw new Error('no PostgreSQL');
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: `${APPLICATION_NAME}${this.instance.id}`,
      keepAlive: true,
    });
    client.on('error', (error) => void this.connectionBroke(client, error.message));
    client.on('end', () => void this.connectionBroke(client, 'connection ended'));
    try {
      await client.connect();
      // The server also notices a scheduler that vanished without closing its connection (a
      // network cut), and frees the lock, within about 15 s instead of the kernel's two hours.
      await client.query('SET tcp_keepalives_idle = 5');
      await client.query('SET tcp_keepalives_interval = 2');
      await client.query('SET tcp_keepalives_count = 5');
    } catch (error) {
      // Not ours yet: close it here, or every failed attempt (one a second) leaks a connection.
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  /** The lock went with the connection: stop scheduling now, not at the next heartbeat. */
  private async connectionBroke(client: Client, why: string): Promise<void> {
    if (client !== this.client) return;
    this.client = null;
    // dropConnection no longer finds it: end it here, so its socket and listeners go too.
    void client.end().catch(() => undefined);
    if (this.leading) await this.enqueue(() => this.lose(why));
  }

  private async gain(failStartUp = false): Promise<void> {
    this.leading = true;
    this.since = new Date();
    this.logger.log(`instance ${this.instance.id} schedules`);
    for (const [name, duty] of this.duties) {
      try {
        await duty.startScheduling();
      } catch (error) {
        if (failStartUp) throw error;
        await this.lose(`starting the ${name} failed: ${(error as Error).message}`);
        return;
      }
    }
  }

  private async lose(why: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.since = null;
    this.notBefore = Date.now() + STEP_BACK_MS;
    this.logger.warn(`instance ${this.instance.id} stops scheduling: ${why}`);
    for (const [name, duty] of [...this.duties].reverse()) {
      await duty.stopScheduling().catch((error: Error) => {
        this.logger.error(`stopping the ${name} failed: ${error.message}`);
      });
    }
    // Whatever is left of the connection goes: the lock must not outlive the lead.
    await this.dropConnection();
  }

  private async dropConnection(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
