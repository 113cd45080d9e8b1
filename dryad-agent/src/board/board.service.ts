import type { Readable } from 'node:stream';
import { Logger } from '../log/logger';
import type { MuxReading, OnOff, StmDriver, UsbRoute } from '../muxpi/stm.driver';
import { BoardRefusal } from './board.refusal';
import { FlashProgress, writeImage } from './flash.writer';
import { PowerCycle } from './power.cycle';
import type { StmConnection } from './stm.connection';

export { BoardRefusal };

/**
 * Power cycles up to this long are the STM's own `power tick` (exact, and whole even if the
 * tester goes away). The firmware answers nothing while a tick runs, so longer ones are
 * `power off`, a timer in the agent and `power on`, and the STM stays free meanwhile.
 */
export const STM_TICK_UP_TO_MS = 2000;

/**
 * What a tester (and the healthcheck) can do with the board: power, SD card mux, USB routing,
 * HDMI hot-plug, dypers, current, flashing. `flash` asks the STM where the card is before it
 * writes, so it never writes a card the DUT is using.
 */
export class BoardService {
  private flashing = false;
  private cycle: PowerCycle | null = null;

  constructor(
    private readonly stm: StmConnection,
    readonly sdcardDevice: string,
    private readonly log: Logger,
  ) {}

  get isFlashing(): boolean {
    return this.flashing;
  }

  power(): Promise<OnOff> {
    return this.stm.use((d) => d.power());
  }

  powerOn(): Promise<void> {
    return this.changePower('power on', (d) => d.powerOn());
  }

  powerOff(): Promise<void> {
    return this.changePower('power off', (d) => d.powerOff());
  }

  /** The STM's own tick (the healthcheck; a tester's short cycles). */
  powerTick(ms: number): Promise<void> {
    return this.changePower('power tick', (d) => d.powerTick(ms));
  }

  /**
   * A tester's power cycle: the STM's tick up to STM_TICK_UP_TO_MS, above that off, a timer
   * and on. The wait ends early, leaving the DUT off, when `signal` aborts (the tester's
   * session closed) or another command changes the power meanwhile.
   */
  async powerCycle(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= STM_TICK_UP_TO_MS) return this.powerTick(ms);
    await this.powerOff();
    const cycle = new PowerCycle(ms, signal);
    this.cycle = cycle;
    try {
      await cycle.offPeriod();
    } finally {
      if (this.cycle === cycle) this.cycle = null;
    }
    await this.stm.use((d) => d.powerOn());
  }

  current(): Promise<number> {
    return this.stm.use((d) => d.current());
  }

  /** Where the SD card is, as the STM reads its switches. */
  muxSide(): Promise<MuxReading> {
    return this.stm.use((d) => d.muxSide());
  }

  /** SD card to the DUT and power on. Refused while an image is being written. */
  async dut(): Promise<void> {
    this.refuseWhileFlashing();
    await this.changePower('dut', (d) => d.dut());
    this.log.info('SD card to the DUT, power on');
  }

  /** SD card to the NanoPi's reader and power off: the state `flash` needs. */
  async ts(): Promise<void> {
    await this.changePower('ts', (d) => d.ts());
    this.log.info('SD card to the test server, power off');
  }

  /** Moves the SD card only; power is unchanged. To the DUT refused while flashing. */
  async mux(side: 'dut' | 'ts'): Promise<void> {
    if (side === 'dut') this.refuseWhileFlashing();
    await this.stm.use((d) => d.mux(side));
    this.log.info(`SD card to the ${side === 'dut' ? 'DUT' : 'test server'}`);
  }

  usbRoute(route: UsbRoute): Promise<void> {
    return this.stm.use((d) => d.usbRoute(route));
  }

  usbRouteState(): Promise<UsbRoute> {
    return this.stm.use((d) => d.usbRouteState());
  }

  usbVbus(state: OnOff): Promise<void> {
    return this.stm.use((d) => d.usbVbus(state));
  }

  hdmi(state: OnOff): Promise<void> {
    return this.stm.use((d) => d.hdmi(state));
  }

  dyper(which: 1 | 2, state: OnOff): Promise<void> {
    return this.stm.use((d) => d.dyper(which, state));
  }

  async flash(image: Readable, onProgress: (p: FlashProgress) => void): Promise<number> {
    if (this.flashing) throw new BoardRefusal('another flash is already running');
    // Set before asking the STM: a `dut` arriving meanwhile is refused, not raced.
    this.flashing = true;
    try {
      const side = await this.muxSide();
      if (side !== 'ts') {
        const where =
          side === 'dut' ? 'on the DUT side' : 'on neither side (the STM reads its mux as invalid)';
        throw new BoardRefusal(
          `the SD card is ${where}: run "ts" first to switch it to the test server`,
        );
      }
      this.log.info(`writing an image to ${this.sdcardDevice}`);
      const bytes = await writeImage(image, this.sdcardDevice, onProgress);
      this.log.info(`wrote ${bytes} bytes to ${this.sdcardDevice}`);
      return bytes;
    } finally {
      this.flashing = false;
    }
  }

  private refuseWhileFlashing(): void {
    if (this.flashing)
      throw new BoardRefusal('an image is being written to the SD card: wait for flash to finish');
  }

  /** A command that sets the power ends the off-period of an agent-timed cycle: it decides. */
  private changePower(what: string, job: (driver: StmDriver) => Promise<void>): Promise<void> {
    this.cycle?.cancel(`"${what}" changed the power meanwhile`);
    this.cycle = null;
    return this.stm.use(job);
  }
}
