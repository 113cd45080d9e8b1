import { ExecExitCode } from '../protocol';
import type { ServerChannel } from 'ssh2';

/** Exit statuses every exec answers with (defined in protocol.ts, which the server reads). */
export const ExitCode = {
  Ok: ExecExitCode.Ok,
  Failed: ExecExitCode.Failed,
  Usage: ExecExitCode.Usage,
  Unknown: ExecExitCode.UnknownCommand,
} as const;

/** One exec request: output helpers, stdin reading, and exactly one exit status. */
export class ExecSession {
  private finished = false;
  private readonly ended = new AbortController();

  /**
   * @param connectionClosed aborts when the SSH connection goes: ssh2 does not close a
   * server-side exec channel when its connection drops (a revoke, a lost network).
   */
  constructor(
    readonly channel: ServerChannel,
    readonly words: string[],
    connectionClosed?: AbortSignal,
  ) {
    channel.on('error', () => undefined);
    const end = () => this.ended.abort();
    channel.once('close', end);
    if (connectionClosed?.aborted) end();
    else connectionClosed?.addEventListener('abort', end, { once: true });
  }

  /** Aborts once the channel or its connection is gone: long commands stop then. */
  get closed(): AbortSignal {
    return this.ended.signal;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  out(data: string | Buffer): void {
    if (!this.finished) this.channel.write(data);
  }

  err(text: string): void {
    if (!this.finished) this.channel.stderr.write(text);
  }

  /** Sends the exit status (with `message` on stderr first) and closes the channel. */
  finish(code: number, message?: string): void {
    if (this.finished) return;
    if (message) this.channel.stderr.write(message.endsWith('\n') ? message : message + '\n');
    this.finished = true;
    this.channel.exit(code);
    this.channel.end();
  }

  /** Reads stdin until EOF: the key line of prepare/authorize. */
  readStdin(limitBytes = 64 * 1024, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(
        () =>
          done(
            new Error(`no end of stdin within ${timeoutMs / 1000} s: close stdin after the key`),
          ),
        timeoutMs,
      );
      const done = (error: Error | null) => {
        clearTimeout(timer);
        this.channel.removeListener('data', onData);
        this.channel.removeListener('end', onEnd);
        if (error) reject(error);
        else resolve(Buffer.concat(chunks).toString('utf8'));
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limitBytes) return done(new Error(`stdin is larger than ${limitBytes} bytes`));
        chunks.push(chunk);
      };
      const onEnd = () => done(null);
      this.channel.on('data', onData);
      this.channel.on('end', onEnd);
    });
  }
}
