import type { Readable } from 'node:stream';
import { Logger } from '../log/logger';
import type { OnOff } from '../muxpi/stm.driver';
import { FlashProgress, writeImage } from './flash.writer';
import type { StmConnection } from './stm.connection';

export type MuxSide = 'dut' | 'ts' | 'unknown';

/** A refusal a tester can fix, e.g. flashing while the card is on the DUT side. */
export class BoardRefusal extends Error {}

/**
 * What a tester (and the healthcheck) can do with the board: power, SD card mux, current,
 * flashing. Remembers which side the card is on, because the STM cannot be asked, so that
 * `flash` never writes a card the DUT is using.
 */
export class BoardService {
  private muxSide: MuxSide = 'unknown';
  private flashing = false;

  constructor(
    private readonly stm: StmConnection,
    readonly sdcardDevice: string,
    private readonly log: Logger,
  ) {}

  get mux(): MuxSide {
    return this.muxSide;
  }

  get isFlashing(): boolean {
    return this.flashing;
  }

  power(): Promise<OnOff> {
    return this.stm.use((d) => d.power());
  }

  powerOn(): Promise<void> {
    return this.stm.use((d) => d.powerOn());
  }

  powerOff(): Promise<void> {
    return this.stm.use((d) => d.powerOff());
  }

  powerTick(ms: number): Promise<void> {
    return this.stm.use((d) => d.powerTick(ms));
  }

  current(): Promise<number> {
    return this.stm.use((d) => d.current());
  }

  /** SD card to the DUT and power on. Refused while an image is being written. */
  async dut(): Promise<void> {
    if (this.flashing)
      throw new BoardRefusal('an image is being written to the SD card: wait for flash to finish');
    this.muxSide = 'unknown';
    await this.stm.use((d) => d.dut());
    this.muxSide = 'dut';
    this.log.info('SD card to the DUT, power on');
  }

  /** SD card to the NanoPi's reader and power off: the state `flash` needs. */
  async ts(): Promise<void> {
    this.muxSide = 'unknown';
    await this.stm.use((d) => d.ts());
    this.muxSide = 'ts';
    this.log.info('SD card to the test server, power off');
  }

  async flash(image: Readable, onProgress: (p: FlashProgress) => void): Promise<number> {
    if (this.muxSide !== 'ts') {
      const where = this.muxSide === 'dut' ? 'on the DUT side' : 'on an unknown side';
      throw new BoardRefusal(
        `the SD card is ${where}: run "ts" first to switch it to the test server`,
      );
    }
    if (this.flashing) throw new BoardRefusal('another flash is already running');
    this.flashing = true;
    try {
      this.log.info(`writing an image to ${this.sdcardDevice}`);
      const bytes = await writeImage(image, this.sdcardDevice, onProgress);
      this.log.info(`wrote ${bytes} bytes to ${this.sdcardDevice}`);
      return bytes;
    } finally {
      this.flashing = false;
    }
  }
}
