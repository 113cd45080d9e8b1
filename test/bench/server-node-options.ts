/**
 * LESHY_BENCH_SERVER_NODE_OPTIONS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" or
 * "--require ./profile-hook.js": Node options for the benchmarked server process only, to
 * profile it under the bench's load.
 */
export function serverNodeOptions(): Record<string, string> {
  const options = process.env.LESHY_BENCH_SERVER_NODE_OPTIONS;
  return options ? { NODE_OPTIONS: options } : {};
}
