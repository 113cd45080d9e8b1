import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Logger } from '../log/logger';
import { releaseSerialStream } from '../muxpi/serial-stream.release';
import type { SerialEndpoint } from './serial.endpoint';

export type ConsoleSink = (data: Buffer) => void;

/**
 * The DUT's serial console, kept open for the agent's whole life so that its disappearance is
 * noticed at once (a close or an error) or at the next check (the device node vanished). Any
 * number of tester sessions can listen; all of them may type. Reopens when the device returns.
 *
 * Emits `gone` (reason) once per disappearance and `back` when it is open again.
 */
export class ConsolePort extends EventEmitter {
  private stream: Duplex | null = null;
  private readonly sinks = new Set<ConsoleSink>();
  private timer: NodeJS.Timeout | null = null;
  private lostReason: string | null = 'not opened yet';
  private checking = false;
  private stopped = false;

  constructor(
    private readonly endpoint: SerialEndpoint,
    private readonly checkIntervalMs: number,
    private readonly log: Logger,
  ) {
    super();
  }

  get path(): string {
    return this.endpoint.name;
  }

  get present(): boolean {
    return this.stream !== null;
  }

  /** Why the console is not available, or null when it is. */
  get problem(): string | null {
    return this.stream ? null : this.lostReason;
  }

  async start(): Promise<void> {
    await this.tryOpen();
    this.timer = setInterval(() => void this.check(), this.checkIntervalMs);
    this.timer.unref();
  }

  /** Subscribes to console output; returns the unsubscribe function. */
  subscribe(sink: ConsoleSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  write(data: Buffer): void {
    if (this.stream && !this.stream.destroyed) this.stream.write(data);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const stream = this.stream;
    this.stream = null;
    if (stream) releaseSerialStream(stream);
  }

  private async check(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      const exists = await this.endpoint.exists();
      if (this.stream && !exists) {
        this.lose(`DUT console ${this.path} disappeared (the device node is gone)`);
      } else if (!this.stream && exists) {
        await this.tryOpen();
      }
    } finally {
      this.checking = false;
    }
  }

  private async tryOpen(): Promise<void> {
    let stream: Duplex;
    try {
      stream = await this.endpoint.open();
    } catch (error) {
      this.markLost(`DUT console ${this.path} cannot be opened: ${(error as Error).message}`);
      return;
    }
    if (this.stopped) {
      releaseSerialStream(stream);
      return;
    }
    this.stream = stream;
    const wasLost = this.lostReason !== null && this.lostReason !== 'not opened yet';
    this.lostReason = null;
    stream.on('data', (chunk: Buffer) => {
      for (const sink of this.sinks) sink(chunk);
    });
    stream.on('error', (error: Error) =>
      this.lose(`DUT console ${this.path} failed: ${error.message}`, stream),
    );
    stream.on('close', () =>
      this.lose(`DUT console ${this.path} closed (device disconnected)`, stream),
    );
    this.log.info(`DUT console ${this.path} is open`);
    if (wasLost) this.emit('back');
  }

  private lose(reason: string, which: Duplex | null = this.stream): void {
    if (this.stopped || !which || which !== this.stream) return;
    this.stream = null;
    releaseSerialStream(which);
    this.markLost(reason);
  }

  private markLost(reason: string): void {
    const firstTime = this.lostReason === null || this.lostReason === 'not opened yet';
    this.lostReason = reason;
    if (firstTime) {
      this.log.warn(reason);
      this.emit('gone', reason);
    }
  }
}
