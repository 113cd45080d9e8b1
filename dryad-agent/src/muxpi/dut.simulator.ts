import type { Duplex } from 'node:stream';

export interface DutSimulatorOptions {
  hostname?: string;
  /** Pause between boot log lines, so a tester sees the log arrive as from a real board. */
  bootLineDelayMs?: number;
}

const PROMPT = '# ';

/**
 * A device under test on the far end of its console line. Silent while powered off; on power
 * on it prints a short boot log ending in a shell prompt, then answers a tiny shell with echo
 * of typed characters, as a real serial console does. The STM simulator tells it about power.
 */
export class DutSimulator {
  private powered = false;
  private ready = false;
  private input = '';
  private bootTimer: NodeJS.Timeout | null = null;
  private readonly hostname: string;
  private readonly bootLineDelayMs: number;

  constructor(
    private readonly stream: Duplex,
    options: DutSimulatorOptions = {},
  ) {
    this.hostname = options.hostname ?? 'sim-dut';
    this.bootLineDelayMs = options.bootLineDelayMs ?? 5;
    stream.on('data', (chunk: Buffer) => this.onInput(chunk));
    stream.on('error', () => undefined);
  }

  get poweredOn(): boolean {
    return this.powered;
  }

  setPower(state: 'on' | 'off'): void {
    this.cancelBoot();
    this.powered = state === 'on';
    this.ready = false;
    this.input = '';
    if (this.powered) this.boot();
  }

  stop(): void {
    this.cancelBoot();
    this.powered = false;
  }

  private boot(): void {
    const lines = [
      '',
      'U-Boot 2024.01-sim (Leshy simulated DUT)',
      'DRAM:  1 GiB',
      'Starting kernel ...',
      '[    0.000000] Booting Linux on physical CPU 0x0',
      `[    0.000000] Linux version 6.1.0-sim (${this.hostname}) #1 SMP`,
      '[    1.204311] Run /sbin/init as init process',
      `Welcome to the simulated DUT ${this.hostname}`,
      `${this.hostname} login: root (automatic login)`,
    ];
    const step = (i: number): void => {
      if (i < lines.length) {
        this.write(lines[i] + '\r\n');
        this.bootTimer = setTimeout(() => step(i + 1), this.bootLineDelayMs);
        return;
      }
      this.bootTimer = null;
      this.ready = true;
      this.write(PROMPT);
    };
    step(0);
  }

  private cancelBoot(): void {
    if (this.bootTimer) clearTimeout(this.bootTimer);
    this.bootTimer = null;
  }

  private onInput(chunk: Buffer): void {
    if (!this.powered || !this.ready) return;
    for (const ch of chunk.toString('latin1')) {
      if (ch === '\r' || ch === '\n') {
        this.write('\r\n');
        this.run(this.input.trim());
        this.input = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.input.length) {
          this.input = this.input.slice(0, -1);
          this.write('\b \b');
        }
      } else if (ch === '\x03') {
        this.input = '';
        this.write('^C\r\n' + PROMPT);
      } else if (ch >= ' ') {
        this.input += ch;
        this.write(ch);
      }
    }
  }

  private run(line: string): void {
    this.write(this.answer(line) + PROMPT);
  }

  private answer(line: string): string {
    const [command, ...args] = line.split(/\s+/).filter(Boolean);
    if (!command) return '';
    if (command === 'echo') return args.join(' ') + '\r\n';
    if (command === 'uname') {
      return (
        (args.includes('-a')
          ? `Linux ${this.hostname} 6.1.0-sim #1 SMP armv7l GNU/Linux`
          : 'Linux') + '\r\n'
      );
    }
    return `sh: ${command}: not found\r\n`;
  }

  private write(text: string): void {
    if (this.powered && !this.stream.destroyed && this.stream.writable)
      this.stream.write(text, 'latin1');
  }
}
