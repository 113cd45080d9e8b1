import { Logger } from '../log/logger';
import { DISPLAY_ROW_Y, layoutDisplayRows } from './display-text.layout';
import type { StmConnection } from './stm.connection';

/** Upstream's maintenance colour. */
const YELLOW: [number, number, number] = [96, 144, 0];
const OFF: [number, number, number] = [0, 0, 0];

/**
 * What a lab admin sees on a board in maintenance: the message on the OLED and the two LEDs
 * blinking yellow alternately, one second each, until the next prepare (as the reference
 * Dryad does).
 */
export class MaintenanceDisplay {
  private timer: NodeJS.Timeout | null = null;
  private phase = 0;
  private blinking = false;
  /** Bumped whenever blinking stops, so a blink already on its way does not relight an LED. */
  private generation = 0;
  private currentMessage = '';

  constructor(
    private readonly stm: StmConnection,
    private readonly log: Logger,
    private readonly blinkPeriodMs = 1000,
  ) {}

  get active(): boolean {
    return this.timer !== null;
  }

  get message(): string {
    return this.currentMessage;
  }

  async show(message: string): Promise<void> {
    this.stopBlinking();
    this.currentMessage = message;
    const rows = layoutDisplayRows(message);
    await this.stm.use(async (d) => {
      await d.clearDisplay();
      for (const [i, row] of rows.entries()) await d.text(0, DISPLAY_ROW_Y[i], row);
    });
    this.phase = 0;
    this.timer = setInterval(() => void this.blink(), this.blinkPeriodMs);
    this.timer.unref();
    await this.blink();
  }

  /** Clears the OLED and turns the LEDs off (also when no maintenance was shown: state unknown after a restart). */
  async clear(): Promise<void> {
    this.stopBlinking();
    this.currentMessage = '';
    await this.stm.use(async (d) => {
      await d.clearDisplay();
      await d.led(1, ...OFF);
      await d.led(2, ...OFF);
    });
  }

  stopBlinking(): void {
    this.generation++;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async blink(): Promise<void> {
    if (this.blinking) return; // a slow STM: skip a beat rather than queue them up
    this.blinking = true;
    const lit = this.phase % 2 === 0 ? 1 : 2;
    this.phase++;
    const generation = this.generation;
    try {
      await this.stm.use(async (d) => {
        // Checked before each command: a prepare may clear the LEDs between the two.
        if (generation !== this.generation) return;
        await d.led(1, ...(lit === 1 ? YELLOW : OFF));
        if (generation !== this.generation) return;
        await d.led(2, ...(lit === 2 ? YELLOW : OFF));
      });
    } catch (error) {
      this.log.debug(`maintenance blink failed: ${(error as Error).message}`);
    } finally {
      this.blinking = false;
    }
  }
}
