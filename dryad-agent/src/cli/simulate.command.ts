import { createInterface } from 'node:readline';
import { FaultCommandInterpreter } from '../simulate/fault-command.interpreter';
import { PtySimulation } from '../simulate/pty-simulation';
import { CliError, CliExit } from './cli.errors';

export async function simulateCommand(
  args: { stm?: string; console?: string; 'boot-line-ms'?: string },
  print: (line: string) => void,
): Promise<number> {
  if (!args.stm || !args.console) {
    throw new CliError(
      '--stm PATH and --console PATH are required\nsee: dryad-agent help simulate',
      CliExit.Usage,
    );
  }
  const bootLineMs = Number(args['boot-line-ms'] ?? 20);
  if (!Number.isInteger(bootLineMs) || bootLineMs < 0)
    throw new CliError('--boot-line-ms must be a whole number', CliExit.Usage);
  const simulation = new PtySimulation(args.stm, args.console, bootLineMs);
  try {
    await simulation.start();
  } catch (error) {
    await simulation.stop();
    throw new CliError(`cannot create the pseudo-terminals: ${(error as Error).message}`);
  }
  print('ready');
  const interpreter = new FaultCommandInterpreter(simulation);
  const input = createInterface({ input: process.stdin, terminal: false });
  const done = new Promise<void>((resolve) => {
    input.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // Answer in order even when one command (console-back) takes a moment.
  let chain = Promise.resolve();
  input.on('line', (line) => {
    chain = chain.then(async () => {
      const answer = await interpreter.execute(line);
      if (answer !== null) print(answer);
    });
  });
  let stopping = false;
  void simulation.stmPty.onExit().then(() => {
    if (!stopping) process.stderr.write(`socat for ${args.stm} exited; the STM link is gone\n`);
  });
  await done;
  stopping = true;
  await chain;
  await simulation.stop();
  return CliExit.Ok;
}
