/**
 * `npm run chaos`: a real server and fleet under load, the server killed with SIGKILL at
 * random moments and restarted, then the crash promises checked (see docs/faults.md).
 * Exits 1 when a promise is broken, 2 when the run itself could not be done.
 */
import 'reflect-metadata';
import { CHAOS_USAGE, parseChaosArgs } from './chaos-options';
import { runChaos } from './chaos-run';
import { formatReport, violationLines } from './report';

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(CHAOS_USAGE);
    return 0;
  }
  let options;
  try {
    options = parseChaosArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  console.log(
    `chaos: seed ${options.seed}, ${options.kills} kills, ${options.boards} boards, ${options.postgres ? `PostgreSQL, ${options.instances} instance(s)` : 'SQLite'}`,
  );
  const report = await runChaos(options, (line) => console.log(line));
  for (const line of formatReport(report)) console.log(line);
  const broken = violationLines(report);
  console.log(broken.length === 0 ? 'every invariant held' : `${broken.length} violations`);
  return broken.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`chaos run failed: ${error.message}`);
    process.exit(2);
  },
);
