/**
 * LESHY_BENCH_SERVER_NODE_OPTIONS, e.g. "--require /tmp/profile-hook.js" (a file that starts
 * the inspector's Profiler and writes the profile on SIGTERM; Node does not take --cpu-prof in
 * NODE_OPTIONS): Node options for the benchmarked server process only, to profile it under
 * the bench's load.
 */
export function serverNodeOptions(): Record<string, string> {
  const options = process.env.LESHY_BENCH_SERVER_NODE_OPTIONS;
  return options ? { NODE_OPTIONS: options } : {};
}
