import { DutSimulator } from '../muxpi/dut.simulator';
import { SocatPty } from '../muxpi/socat.pty';
import { StmSimulator } from '../muxpi/stm.simulator';
import type { SimulationControls } from './fault-command.interpreter';

/**
 * A MuxPi on real pseudo-terminals: the STM simulator behind one socat pty, the simulated DUT
 * behind another. A `run` agent opens the two link paths as its serial devices.
 */
export class PtySimulation implements SimulationControls {
  readonly stmPty: SocatPty;
  private consolePty: SocatPty;
  readonly stm: StmSimulator;
  private dut: DutSimulator;

  constructor(
    stmPath: string,
    private readonly consolePath: string,
    private readonly bootLineDelayMs = 20,
  ) {
    this.stmPty = new SocatPty(stmPath);
    this.consolePty = new SocatPty(consolePath);
    this.stm = new StmSimulator(this.stmPty.stream);
    this.dut = new DutSimulator(this.consolePty.stream, { bootLineDelayMs });
    this.stm.on('power', (state: 'on' | 'off') => this.dut.setPower(state));
  }

  async start(): Promise<void> {
    await this.stmPty.start();
    await this.consolePty.start();
  }

  async consoleGone(): Promise<void> {
    if (!this.consolePty.running) throw new Error('the console is already gone');
    this.dut.stop();
    await this.consolePty.stop();
  }

  async consoleBack(): Promise<void> {
    if (this.consolePty.running) throw new Error('the console is there');
    this.consolePty = new SocatPty(this.consolePath);
    this.dut = new DutSimulator(this.consolePty.stream, { bootLineDelayMs: this.bootLineDelayMs });
    await this.consolePty.start();
    if (this.stm.state.power === 'on') this.dut.setPower('on');
  }

  state(): unknown {
    return { ...this.stm.state, console: this.consolePty.running ? 'present' : 'gone' };
  }

  async stop(): Promise<void> {
    this.stm.stop();
    this.dut.stop();
    await Promise.all([this.stmPty.stop(), this.consolePty.stop()]);
  }
}
