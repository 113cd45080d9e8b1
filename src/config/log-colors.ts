/**
 * Whether log lines get ANSI colours: only on a terminal, never into a file, a pipe or journald
 * (where the escape codes are noise), and never when NO_COLOR is set (https://no-color.org).
 */
export function logColors(env: Record<string, string | undefined>, isTerminal: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTerminal;
}

/** As logColors, for this process (the one place besides load-config.ts that reads process.env). */
export function logColorsForThisProcess(): boolean {
  return logColors(process.env, process.stdout.isTTY === true && process.stderr.isTTY === true);
}

/** Whether this process's log lines go to a terminal (pretty) or elsewhere (JSON lines). */
export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}
