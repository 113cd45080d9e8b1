import { stat } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { openSerialPort } from '../muxpi/serial-port.opener';

/**
 * Where a serial line comes from: a device node on a real board, or an in-memory stream in
 * the fleet. The STM connection and the console port only need to open it and to ask whether
 * the device is still there.
 */
export interface SerialEndpoint {
  /** Shown in logs and failure reasons, e.g. `/dev/ttyS1`. */
  readonly name: string;
  open(): Promise<Duplex>;
  exists(): Promise<boolean>;
}

export class DeviceSerialEndpoint implements SerialEndpoint {
  constructor(
    readonly name: string,
    private readonly baudRate: number,
  ) {}

  open(): Promise<Duplex> {
    return openSerialPort(this.name, this.baudRate);
  }

  async exists(): Promise<boolean> {
    try {
      await stat(this.name);
      return true;
    } catch {
      return false;
    }
  }
}

/** An already connected stream (fleet boards): it can be opened once and never reappears. */
export class StreamSerialEndpoint implements SerialEndpoint {
  private opened = false;

  constructor(
    readonly name: string,
    private readonly stream: Duplex,
  ) {}

  async open(): Promise<Duplex> {
    if (this.opened || this.stream.destroyed) throw new Error(`${this.name} is gone`);
    this.opened = true;
    return this.stream;
  }

  async exists(): Promise<boolean> {
    return !this.stream.destroyed;
  }
}
