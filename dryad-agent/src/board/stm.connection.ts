import { Logger } from '../log/logger';
import { StmDriver } from '../muxpi/stm.driver';
import { StmClosedError } from '../muxpi/stm.errors';
import type { SerialEndpoint } from './serial.endpoint';

/**
 * Owns the STM serial line: opens it (with the echo-off handshake) on first use and again
 * after the device went away, so a replugged or restarted STM heals without restarting the
 * agent. Everything that talks to the STM asks this class for the driver.
 */
export class StmConnection {
  private current: StmDriver | null = null;
  private opening: Promise<StmDriver> | null = null;

  constructor(
    private readonly endpoint: SerialEndpoint,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  get device(): string {
    return this.endpoint.name;
  }

  /** The last exchange succeeded and the port is open. */
  get responding(): boolean {
    return this.current?.responding ?? false;
  }

  /** Runs `job` with an open driver; throws StmError subclasses with admin-readable messages. */
  async use<T>(job: (driver: StmDriver) => Promise<T>): Promise<T> {
    return job(await this.driver());
  }

  private async driver(): Promise<StmDriver> {
    const current = this.current;
    // serialport does not always notice a vanished device (a pty whose master went away, an
    // unplugged USB adapter): when the STM stopped answering, look whether its node is gone.
    if (current && !current.closed && !current.responding && !(await this.endpoint.exists())) {
      current.close(`${this.endpoint.name} disappeared`);
    }
    if (this.current && !this.current.closed) return this.current;
    this.opening ??= this.open().finally(() => (this.opening = null));
    return this.opening;
  }

  private async open(): Promise<StmDriver> {
    let stream;
    try {
      stream = await this.endpoint.open();
    } catch (error) {
      throw new StmClosedError(this.endpoint.name, (error as Error).message);
    }
    const driver = new StmDriver(stream, {
      timeoutMs: this.timeoutMs,
      device: this.endpoint.name,
      logger: this.log,
    });
    this.current = driver;
    try {
      await driver.open();
      this.log.info(`STM on ${this.endpoint.name} answers`);
    } catch (error) {
      // Keep the port open: the next command resyncs, which is all a late STM needs.
      this.log.warn(`STM handshake on ${this.endpoint.name} failed: ${(error as Error).message}`);
    }
    return driver;
  }

  close(): void {
    this.current?.close();
    this.current = null;
  }
}
