import { StreamSerialEndpoint } from '../board/serial.endpoint';
import { DutSimulator } from '../muxpi/dut.simulator';
import { memoryLinkPair } from '../muxpi/memory.link';
import { StmSimulator } from '../muxpi/stm.simulator';

/**
 * A whole MuxPi in memory: the STM simulator and the simulated DUT, each on one end of an
 * in-memory serial line whose other end the agent opens. Power changes reach the DUT.
 */
export class SimulatedBoard {
  readonly stm: StmSimulator;
  readonly dut: DutSimulator;
  readonly stmEndpoint: StreamSerialEndpoint;
  readonly consoleEndpoint: StreamSerialEndpoint;

  constructor(name: string, options: { bootLineDelayMs?: number } = {}) {
    const [agentStm, simStm] = memoryLinkPair();
    const [agentConsole, simConsole] = memoryLinkPair();
    this.stm = new StmSimulator(simStm);
    this.dut = new DutSimulator(simConsole, {
      hostname: name,
      bootLineDelayMs: options.bootLineDelayMs ?? 1,
    });
    this.stm.on('power', (state: 'on' | 'off') => this.dut.setPower(state));
    this.stmEndpoint = new StreamSerialEndpoint(`sim://${name}/stm`, agentStm);
    this.consoleEndpoint = new StreamSerialEndpoint(`sim://${name}/console`, agentConsole);
  }

  stop(): void {
    this.stm.stop();
    this.dut.stop();
  }
}
