import { EventEmitter } from 'node:events';
import { parsePublicKeyLine, PublicKey } from '../access/public-key';
import { Logger } from '../log/logger';
import type { RegisterAgentRequest, RegisterAgentResponse } from '../protocol';
import { AgentApiClient, AgentApiError } from './agent-api.client';
import { Backoff } from './backoff';

export interface RegistrationOptions {
  heartbeatIntervalMs: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Wait between attempts while the server refuses the token or the request (an admin must act). */
  slowRetryMs?: number;
  /**
   * Wait between attempts while the server refuses the board as deregistered (410): only an
   * admin admitting it again changes the answer, so asking often would only load the server.
   */
  deregisteredRetryMs?: number;
  /** Undelivered failure reports kept while the server is away; older ones are dropped. */
  maxPendingReports?: number;
}

type State = 'idle' | 'registering' | 'registered' | 'stopped';

const DEFAULTS: Required<Omit<RegistrationOptions, 'heartbeatIntervalMs'>> = {
  retryInitialMs: 1000,
  retryMaxMs: 60_000,
  slowRetryMs: 60_000,
  deregisteredRetryMs: 10 * 60_000,
  maxPendingReports: 20,
};

/**
 * Keeps the agent known to the server: registers (retrying with capped, jittered backoff while
 * the server is down), sends heartbeats, registers again when the server has forgot the agent
 * (404), and delivers failure reports. Learns the server's public key, the only key allowed
 * to run control commands.
 *
 * A board an admin deregistered is refused with 410 until an admin admits it again: the agent
 * says so once and asks again only every `deregisteredRetryMs`.
 *
 * Emits `registered` (RegisterAgentResponse), `retry` ({ delayMs, reason }) and `deregistered`
 * (reason, once per refusal episode).
 */
export class RegistrationService extends EventEmitter {
  private state: State = 'idle';
  private serverKey: PublicKey | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private readonly reportBackoff: Backoff;
  private readonly pending: string[] = [];
  private flushing = false;
  private heartbeatTrouble: string | null = null;
  /** The server refuses this board as deregistered; said once, until it registers again. */
  private refusedAsDeregistered = false;
  private readonly o: Required<RegistrationOptions>;

  constructor(
    private readonly api: AgentApiClient,
    private readonly uuid: string,
    private readonly buildRequest: () => RegisterAgentRequest,
    options: RegistrationOptions,
    private readonly log: Logger,
  ) {
    super();
    // Options left undefined keep their default: spreading an undefined over a default made
    // every wait NaN, i.e. a retry loop without pause.
    const given = Object.fromEntries(
      Object.entries(options).filter(([, value]) => value !== undefined),
    );
    this.o = { ...DEFAULTS, ...given, heartbeatIntervalMs: options.heartbeatIntervalMs };
    for (const [name, value] of Object.entries(this.o)) {
      if (!Number.isFinite(value) || value <= 0)
        throw new Error(`registration option ${name} must be a positive number, got ${value}`);
    }
    this.backoff = new Backoff(this.o.retryInitialMs, this.o.retryMaxMs);
    this.reportBackoff = new Backoff(this.o.retryInitialMs, this.o.retryMaxMs);
  }

  /** The server's key from the last registration; null before the first one. */
  get controlKey(): PublicKey | null {
    return this.serverKey;
  }

  get registered(): boolean {
    return this.state === 'registered';
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'registering';
    this.schedule(0, () => this.register());
  }

  stop(): void {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    if (this.reportTimer) clearTimeout(this.reportTimer);
  }

  /** Resolves at the next successful registration (at once if registered). */
  whenRegistered(): Promise<void> {
    if (this.state === 'registered') return Promise.resolve();
    return new Promise((resolve) => this.once('registered', () => resolve()));
  }

  /** Registers again now, e.g. when a fault cleared (the server takes it as recovery). */
  reregister(why: string): void {
    if (this.state === 'stopped' || this.state === 'idle') return;
    this.log.info(`registering again: ${why}`);
    this.state = 'registering';
    this.schedule(0, () => this.register());
  }

  /** Queues a failure report; it is delivered once the server can take it. */
  reportFailure(reason: string): void {
    this.pending.push(reason);
    if (this.pending.length > this.o.maxPendingReports) this.pending.shift();
    void this.flushReports();
  }

  private schedule(delayMs: number, job: () => Promise<void>): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.state === 'stopped') return;
    this.timer = setTimeout(() => void job(), delayMs);
    this.timer.unref();
  }

  private async register(): Promise<void> {
    let response: RegisterAgentResponse;
    let key: PublicKey;
    try {
      response = await this.api.register(this.buildRequest());
      try {
        key = parsePublicKeyLine(response.serverPublicKey);
      } catch (error) {
        throw new AgentApiError(
          'rejected',
          `the server's serverPublicKey is unusable: ${(error as Error).message}`,
        );
      }
    } catch (error) {
      return this.registrationFailed(error as Error);
    }
    if (this.state === 'stopped') return;
    this.serverKey = key;
    this.state = 'registered';
    this.backoff.reset();
    this.heartbeatTrouble = null;
    if (this.refusedAsDeregistered) this.log.info('the server accepts this board again');
    this.refusedAsDeregistered = false;
    this.log.info(`registered with the server (worker state ${response.state || 'unknown'})`);
    this.emit('registered', response);
    this.schedule(this.o.heartbeatIntervalMs, () => this.heartbeat());
    void this.flushReports();
  }

  private registrationFailed(error: Error): void {
    if (this.state === 'stopped') return;
    const kind = error instanceof AgentApiError ? error.kind : 'unreachable';
    if (kind === 'deregistered') return this.refusedAsDeregisteredBoard(error.message);
    let reason = error.message;
    if (kind === 'unknown-agent') reason = `${reason}: is server.url the Leshy server's address?`;
    const slow = kind === 'unauthorized' || kind === 'rejected' || kind === 'unknown-agent';
    const delayMs = slow ? this.o.slowRetryMs : this.backoff.next();
    const line = `registration failed: ${reason}; retrying in ${formatDelay(delayMs)}`;
    if (slow) this.log.error(line);
    else this.log.warn(line);
    this.emit('retry', { delayMs, reason });
    this.schedule(delayMs, () => this.register());
  }

  private refusedAsDeregisteredBoard(reason: string): void {
    const delayMs = this.o.deregisteredRetryMs;
    const line = `registration refused: ${reason}; asking the server again every ${formatDelay(delayMs)} (restart the agent once the board is admitted to register at once)`;
    if (this.refusedAsDeregistered) {
      this.log.debug(line);
    } else {
      this.refusedAsDeregistered = true;
      this.log.error(line);
      this.emit('deregistered', reason);
    }
    this.emit('retry', { delayMs, reason });
    this.schedule(delayMs, () => this.register());
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.api.heartbeat(this.uuid);
      if (this.heartbeatTrouble) this.log.info('heartbeats reach the server again');
      this.heartbeatTrouble = null;
      this.schedule(this.o.heartbeatIntervalMs, () => this.heartbeat());
    } catch (error) {
      if (this.state !== 'registered') return;
      const e = error as AgentApiError;
      if (e.kind === 'unknown-agent' || e.kind === 'deregistered') {
        this.log.warn(
          `the server does not take this agent's heartbeats (${e.message}); registering again`,
        );
        this.state = 'registering';
        this.backoff.reset();
        this.schedule(0, () => this.register());
        return;
      }
      if (this.heartbeatTrouble !== e.message) this.log.warn(`heartbeat failed: ${e.message}`);
      this.heartbeatTrouble = e.message;
      const delay = e.kind === 'unauthorized' ? this.o.slowRetryMs : this.o.heartbeatIntervalMs;
      this.schedule(delay, () => this.heartbeat());
    }
  }

  private async flushReports(): Promise<void> {
    if (this.flushing || this.state !== 'registered') return;
    this.flushing = true;
    try {
      while (this.pending.length > 0 && this.state === 'registered') {
        const reason = this.pending[0];
        try {
          await this.api.reportFailure(this.uuid, reason);
          this.pending.shift();
          this.reportBackoff.reset();
          this.log.info(`reported failure to the server: ${reason}`);
        } catch (error) {
          const e = error as AgentApiError;
          if (e.kind === 'unknown-agent' || e.kind === 'deregistered') {
            this.reregister(`the server does not take this agent's failure report (${e.message})`);
            return; // flushed again after registering
          }
          const delay =
            e.kind === 'unauthorized' || e.kind === 'rejected'
              ? this.o.slowRetryMs
              : this.reportBackoff.next();
          this.log.warn(
            `failure report not delivered (${e.message}); retrying in ${formatDelay(delay)}`,
          );
          if (e.kind === 'rejected') this.pending.shift(); // the server will never take this one
          if (this.reportTimer) clearTimeout(this.reportTimer);
          this.reportTimer = setTimeout(() => void this.flushReports(), delay);
          this.reportTimer.unref();
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

function formatDelay(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
