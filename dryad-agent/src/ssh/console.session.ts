import type { ConsolePort } from '../board/console.port';
import { ExecSession, ExitCode } from './exec.session';

/** How long the console must be quiet after the tester's input ended before `console` exits. */
export const DEFAULT_CONSOLE_LINGER_MS = 500;
const MAX_LINGER_MS = 600_000;

/**
 * `console [--linger DURATION]`: the DUT's UART both ways. It ends when the tester closes the
 * channel, when the device disappears (exit 1), or, for scripts (`echo uname | ssh … console`),
 * once the tester's input has ended (EOF) and the console has then been quiet for the linger
 * time (exit 0): the output the input caused still arrives, and the command does not hang.
 * An interactive `ssh -t` session sends no EOF (Ctrl-D is a byte to the DUT), so it is not cut.
 */
export function runConsole(session: ExecSession, port: ConsolePort, args: string[]): void {
  const linger = parseLinger(args);
  if (typeof linger === 'string') return session.finish(ExitCode.Usage, linger);
  if (!port.present) {
    return session.finish(ExitCode.Failed, `console: ${port.problem ?? 'not available'}`);
  }
  const channel = session.channel;
  let quietTimer: NodeJS.Timeout | null = null;
  let inputEnded = false;
  const waitForQuiet = () => {
    if (quietTimer) clearTimeout(quietTimer);
    quietTimer = setTimeout(() => {
      cleanup();
      session.finish(ExitCode.Ok);
    }, linger);
  };
  const unsubscribe = port.subscribe((data) => {
    session.out(data);
    if (inputEnded) waitForQuiet();
  });
  const onGone = (reason: string) => {
    cleanup();
    session.finish(ExitCode.Failed, `\r\nconsole: ${reason}`);
  };
  const cleanup = () => {
    if (quietTimer) clearTimeout(quietTimer);
    unsubscribe();
    port.removeListener('gone', onGone);
  };
  port.on('gone', onGone);
  channel.on('data', (data: Buffer) => port.write(data));
  channel.on('end', () => {
    inputEnded = true;
    waitForQuiet();
  });
  // ssh2 never closes a server-side exec channel whose connection dropped: `closed` also aborts
  // then, so a lost connection does not leave the console subscribed for ever.
  session.closed.addEventListener('abort', cleanup, { once: true });
}

/** The linger time in ms, or a usage message. Accepts `500ms`, `2s`, `0` or whole ms. */
function parseLinger(args: string[]): number | string {
  const usage = 'usage: console [--linger DURATION]  (DURATION like 500ms, 2s or 0; at most 600s)';
  if (args.length === 0) return DEFAULT_CONSOLE_LINGER_MS;
  if (args.length !== 2 || args[0] !== '--linger') return usage;
  const m = /^(\d+)(ms|s)?$/.exec(args[1]);
  if (!m) return usage;
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  return ms <= MAX_LINGER_MS ? ms : usage;
}
