import { ChaosApi, pause } from './chaos-api';
import { Random } from './random';

export const CHAOS_BOARD = 'chaos';

/** A request the server acknowledged (201), with what it was created with. */
export interface Acknowledged {
  id: number;
  priority: number;
  /** Given by waiters only (cyclers take the default deadline). */
  deadline?: Date;
}

/** Answers no client should get in this run (beyond 5xx, which ChaosApi counts). */
export interface LoadFigures {
  cycles: number;
  abandoned: number;
  waitingRequests: number;
  surprises: string[];
}

/**
 * The mixed load of a chaos run: cyclers do what Weles does (create → wait IN PROGRESS →
 * acquire → close; now and then they walk away and leave the job to its timeout), waiters
 * file requests with a validAfter and a short deadline (some for boards nobody has, which must
 * end TIMEOUT) and never look at them again. Every 201 is recorded.
 */
export class ChaosLoad {
  readonly acknowledged: Acknowledged[] = [];
  readonly figures: LoadFigures = { cycles: 0, abandoned: 0, waitingRequests: 0, surprises: [] };
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly api: ChaosApi,
    private readonly random: Random,
    private readonly instances: number,
  ) {}

  start(cyclers: number, waiters: number): void {
    for (let i = 0; i < cyclers; i++) this.running.push(this.cycler(i));
    for (let i = 0; i < waiters; i++) this.running.push(this.waiter(i));
  }

  /** No new requests; cyclers close what they hold (a WAITING one is CANCELLED). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  private async cycler(n: number): Promise<void> {
    while (!this.stopping) {
      const priority = this.random.int(1, 16);
      const id = await this.create(
        n,
        { Priority: priority, Caps: { board: CHAOS_BOARD } },
        priority,
      );
      if (id === null) continue;
      const state = await this.waitWhileWaiting(n, id);
      if (state === 'IN PROGRESS') {
        const acquired = await this.api.send(
          n,
          'POST',
          `/api/v1/reqs/${id}/acquire_worker`,
          undefined,
          true,
        );
        // 400: the job ended meanwhile (its timeout, or a retried call after a kill).
        this.expect(acquired?.status, [200, 400], `acquire ${id}`, acquired?.body);
        if (this.random.chance(0.1)) {
          this.figures.abandoned++;
          continue;
        }
      }
      if (state === 'WAITING' || state === 'IN PROGRESS') {
        const closed = await this.api.send(n, 'POST', `/api/v1/reqs/${id}/close`, undefined, true);
        // 400: already ended (job timeout), or a close repeated after a kill had committed it.
        this.expect(closed?.status, [204, 400], `close ${id}`, closed?.body);
      }
      this.figures.cycles++;
    }
  }

  private async waiter(n: number): Promise<void> {
    while (!this.stopping) {
      // Mostly boards nobody has: those must end TIMEOUT at their deadline.
      const board = this.random.chance(0.3) ? CHAOS_BOARD : 'nowhere';
      const priority = this.random.int(1, 16);
      const offsets = [this.random.int(0, 1500), this.random.int(1000, 3500)];
      let deadline = new Date();
      // Times from the moment of sending: a server that was down meanwhile gets fresh ones.
      const body = () => {
        const validAfter = new Date(Date.now() + offsets[0]);
        deadline = new Date(validAfter.getTime() + offsets[1]);
        return {
          Priority: priority,
          Caps: { board },
          ValidAfter: validAfter.toISOString(),
          Deadline: deadline.toISOString(),
        };
      };
      if ((await this.create(this.instances + n, body, priority, () => deadline)) !== null)
        this.figures.waitingRequests++;
      await pause(this.random.int(500, 1500));
    }
  }

  private async create(
    prefer: number,
    body: unknown,
    priority: number,
    deadline?: () => Date,
  ): Promise<number | null> {
    const created = await this.api.send(prefer, 'POST', '/api/v1/reqs/', body, false);
    if (created?.status !== 201) {
      if (created) this.expect(created.status, [201], 'create', created.body);
      return null;
    }
    const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
    this.acknowledged.push({ id, priority, ...(deadline ? { deadline: deadline() } : {}) });
    return id;
  }

  /** Polls the state while it is WAITING; once stopping, answers WAITING at once (to close). */
  private async waitWhileWaiting(n: number, id: number): Promise<string | null> {
    for (;;) {
      const head = await this.api.send(n, 'HEAD', `/api/v1/reqs/${id}`, undefined, true);
      const state = head?.header('Boruta-Request-State') ?? null;
      if (state !== 'WAITING' || this.stopping) return state;
      await pause(50);
    }
  }

  private expect(status: number | undefined, allowed: number[], what: string, body = ''): void {
    if (status !== undefined && !allowed.includes(status))
      this.figures.surprises.push(`${what}: ${status} ${body.slice(0, 200)}`);
  }
}
