import { readHostPort } from 'dryad-agent/net/host-port';
import {
  AgentStatus,
  ControlCommand,
  CONTROL_USER,
  PrepareResult,
  quoteCommandWord,
} from 'dryad-agent/protocol';
import { EventEmitter } from 'node:events';
import { Client, ClientChannel, utils } from 'ssh2';
import type { LogFields } from '../logging/log-fields';
import { DryadOperationError, DryadPort, DryadTarget } from './dryad.port';

interface Connection {
  client: Client;
  /** What it was opened for: a changed address or host key means a new connection. */
  controlAddr: string;
  hostKey: string;
}

interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What SshDryadClient needs: plain values, so that it can run in a thread of its own. */
export interface SshDryadOptions {
  /** The server's SSH private key (OpenSSH), which agents accept for their control user. */
  privateKey: string;
  /** LESHY_DRYAD_TIMEOUT: the bound of every operation. */
  timeoutMs: number;
  /** Where its warnings go (an agent presenting another host key). */
  warn(message: string, fields: LogFields): void;
}

/**
 * DryadPort over SSH (ssh2 client): one kept-alive connection per agent, the agent's host key
 * pinned to the one it registered with (anything else is refused), every operation bounded by
 * LESHY_DRYAD_TIMEOUT. Emits `lost` (uuid, reason) when an established connection drops.
 * The server runs it in a thread of its own (DryadSshThread); it does not depend on Nest.
 */
export class SshDryadClient extends DryadPort {
  private readonly connections = new Map<string, Promise<Connection>>();
  readonly events = new EventEmitter();

  constructor(private readonly options: SshDryadOptions) {
    super();
  }

  async prepare(target: DryadTarget, jobPublicKey: string): Promise<{ username: string }> {
    const result = await this.run(target, ControlCommand.Prepare, `${jobPublicKey}\n`);
    try {
      const parsed = JSON.parse(result.stdout) as PrepareResult;
      if (typeof parsed.username !== 'string' || parsed.username === '')
        throw new Error('no username');
      return { username: parsed.username };
    } catch {
      throw new DryadOperationError(
        `prepare answered something that is not a PrepareResult: ${result.stdout.slice(0, 200)}`,
      );
    }
  }

  async putInMaintenance(target: DryadTarget, message: string): Promise<void> {
    // Quoted: an admin's message may hold quotes, backslashes or runs of spaces.
    await this.run(target, `${ControlCommand.Maintenance} ${quoteCommandWord(message)}`);
  }

  async healthcheck(target: DryadTarget): Promise<void> {
    await this.run(target, ControlCommand.Healthcheck);
  }

  async status(target: DryadTarget): Promise<AgentStatus> {
    const result = await this.run(target, ControlCommand.Status);
    try {
      return JSON.parse(result.stdout) as AgentStatus;
    } catch {
      throw new DryadOperationError(
        `status answered something that is not JSON: ${result.stdout.slice(0, 200)}`,
      );
    }
  }

  async authorize(
    target: DryadTarget,
    publicKey: string,
    jobKeyFingerprint: string,
  ): Promise<void> {
    await this.run(
      target,
      `${ControlCommand.Authorize} ${quoteCommandWord(jobKeyFingerprint)}`,
      `${publicKey}\n`,
    );
  }

  /** Drops the kept connection of a worker (deregistered, or its address changed). */
  forget(uuid: string): void {
    const pending = this.connections.get(uuid);
    this.connections.delete(uuid);
    void pending?.then(
      (c) => c.client.end(),
      () => undefined,
    );
  }

  hasConnection(uuid: string): boolean {
    return this.connections.has(uuid);
  }

  /** Ends every kept connection. */
  close(): void {
    for (const uuid of [...this.connections.keys()]) this.forget(uuid);
  }

  /**
   * Runs a control command; a non-zero exit is an error whose message is the agent's stderr.
   * A kept connection that turns out to be dead (the agent restarted) is replaced once. The
   * whole operation (waiting for the connection, the retry, the command) gets one time limit,
   * LESHY_DRYAD_TIMEOUT: this is the one place that bounds every DryadPort operation.
   */
  private async run(target: DryadTarget, command: string, stdin?: string): Promise<ExecResult> {
    const name = command.split(' ')[0];
    const limit = AbortSignal.timeout(this.options.timeoutMs);
    const timedOut = () =>
      new DryadOperationError(`${name} timed out after ${this.options.timeoutMs} ms`);
    const attempt = async () => {
      const { client } = await untilAborted(this.connection(target), limit, timedOut);
      return this.exec(client, command, stdin, limit, timedOut);
    };
    let result: ExecResult;
    try {
      result = await attempt();
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      this.forget(target.uuid);
      result = await attempt();
    }
    if (result.code !== 0) {
      const why = result.stderr.trim() || result.stdout.trim() || `exit status ${result.code}`;
      throw new DryadOperationError(`${name} failed on the agent: ${why}`);
    }
    return result;
  }

  private connection(target: DryadTarget): Promise<Connection> {
    const existing = this.connections.get(target.uuid);
    if (existing) {
      return existing.then((c) => {
        if (c.controlAddr === target.controlAddr && c.hostKey === target.hostKey) return c;
        this.forget(target.uuid);
        return this.connection(target);
      });
    }
    const opening = this.open(target);
    this.connections.set(target.uuid, opening);
    opening.catch(() => {
      if (this.connections.get(target.uuid) === opening) this.connections.delete(target.uuid);
    });
    return opening;
  }

  private open(target: DryadTarget): Promise<Connection> {
    // Addresses are checked at registration; one stored before that check may still be bad.
    const parsed = readHostPort(target.controlAddr);
    if ('problem' in parsed) {
      return Promise.reject(
        new DryadOperationError(`the agent's control address is unusable: ${parsed.problem}`),
      );
    }
    const { host, port } = parsed.address;
    const pinned = pinnedHostKey(target.hostKey);
    let hostKeyRefused = false;
    const opened = new Promise<Connection>((resolve, reject) => {
      const client = new Client();
      let ready = false;
      client.on('ready', () => {
        ready = true;
        // An operation is a few small packets each way (channel open, exec, stdin, EOF):
        // with Nagle's algorithm each one after the first waited for the agent's delayed ACK.
        client.setNoDelay(true);
        resolve({ client, controlAddr: target.controlAddr, hostKey: target.hostKey });
      });
      client.on('error', (error) => {
        if (!ready) {
          reject(
            new DryadOperationError(
              hostKeyRefused
                ? `agent at ${target.controlAddr} presented a host key different from the one it registered with: refused`
                : `cannot reach the agent at ${target.controlAddr}: ${error.message}`,
            ),
          );
        }
      });
      client.on('close', () => {
        // Only the kept connection's loss matters: by now the map may hold a replacement (the
        // address or host key changed), still opening and perhaps failing; that one is not
        // awaited here, so its failure reaches its own callers and nobody else.
        if (!ready) {
          // Normally 'error' came first and this does nothing; a close without one must not
          // leave the connection's callers waiting for their time limit.
          return reject(
            new DryadOperationError(
              `cannot reach the agent at ${target.controlAddr}: connection closed before the SSH handshake`,
            ),
          );
        }
        if (this.connections.get(target.uuid) !== opened) return;
        this.connections.delete(target.uuid);
        this.events.emit(
          'lost',
          target.uuid,
          `SSH connection to the agent at ${target.controlAddr} was lost`,
        );
      });
      client.connect({
        host,
        port,
        username: CONTROL_USER,
        privateKey: this.options.privateKey,
        readyTimeout: this.options.timeoutMs,
        keepaliveInterval: 5_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          hostKeyRefused = pinned === null || !key.equals(pinned);
          if (hostKeyRefused)
            this.options.warn(`worker ${target.uuid}: host key mismatch at ${target.controlAddr}`, {
              workerUuid: target.uuid,
            });
          return !hostKeyRefused;
        },
      });
    });
    return opened;
  }

  /**
   * One command on its own channel. When `limit` fires first, the channel is closed: an agent
   * must not go on with a prepare whose worker the server has already failed.
   */
  private exec(
    client: Client,
    command: string,
    stdin: string | undefined,
    limit: AbortSignal,
    timedOut: () => Error,
  ): Promise<ExecResult> {
    const name = command.split(' ')[0];
    return new Promise((resolve, reject) => {
      let channel: ClientChannel | null = null;
      const onTimeout = () => {
        channel?.close();
        reject(timedOut());
      };
      if (limit.aborted) return onTimeout();
      limit.addEventListener('abort', onTimeout, { once: true });
      const settle = () => limit.removeEventListener('abort', onTimeout);
      const fail = (error: Error) => {
        settle();
        reject(
          /not connected|no response|ECONNRESET|EPIPE/i.test(error.message)
            ? new StaleConnectionError(error.message)
            : new DryadOperationError(`cannot run ${name} on the agent: ${error.message}`),
        );
      };
      const onChannel = (error: Error | undefined, stream: ClientChannel) => {
        if (error) return fail(error);
        // The channel opened after the time limit: nobody waits for it any more.
        if (limit.aborted) return stream.close();
        channel = stream;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | null = null;
        stream.on('data', (chunk: Buffer) => stdout.push(chunk));
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        stream.on('exit', (exitCode: number | null) => (code = exitCode));
        stream.on('close', () => {
          settle();
          resolve({
            code,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          });
        });
        stream.end(stdin ?? '');
      };
      try {
        client.exec(command, onChannel);
      } catch (error) {
        fail(error as Error);
      }
    });
  }
}

/** The kept connection was dead when used; the caller opens a new one. */
class StaleConnectionError extends DryadOperationError {}

/** `work`, or `timedOut()` if `limit` fires first (`work` itself goes on). */
function untilAborted<T>(work: Promise<T>, limit: AbortSignal, timedOut: () => Error): Promise<T> {
  if (limit.aborted) return Promise.reject(timedOut());
  return new Promise<T>((resolve, reject) => {
    const onTimeout = () => reject(timedOut());
    limit.addEventListener('abort', onTimeout, { once: true });
    work.then(resolve, reject).finally(() => limit.removeEventListener('abort', onTimeout));
  });
}

/** Wire form of an OpenSSH public key line, or null if it cannot be parsed. */
function pinnedHostKey(line: string): Buffer | null {
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error) return null;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.getPublicSSH();
}
