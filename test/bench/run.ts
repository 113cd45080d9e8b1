/**
 * `npm run bench`: speed and memory of Leshy, measured (tests assert behaviour, not speed).
 * Run as `npm run bench` or `npm run bench -- core` (or keys, cycle, scale, http, calls) to pick suites.
 */
import 'reflect-metadata';
import { callCostBench } from './call-cost-bench';
import { coreBench } from './core-bench';
import { cycleBench } from './cycle-bench';
import { httpBench } from './http-bench';
import { keyBench } from './key-bench';
import { scaleBench } from './scale-bench';

const SUITES: Record<string, () => Promise<void>> = {
  core: coreBench,
  keys: keyBench,
  cycle: cycleBench,
  scale: scaleBench,
  http: httpBench,
  calls: callCostBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => a in SUITES);
  for (const name of wanted.length ? wanted : Object.keys(SUITES)) await SUITES[name]();
  console.log(
    `peak RSS of the benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
