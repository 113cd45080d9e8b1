import { AddressInfo } from 'node:net';
import { Connection, Server } from 'ssh2';
import type { AuthContext, PublicKeyAuthContext, Session } from 'ssh2';
import type { JobAccess } from '../access/job.access';
import type { PublicKey } from '../access/public-key';
import { sameKey } from '../access/public-key';
import { Logger } from '../log/logger';
import { CONTROL_USER } from '../protocol';
import type { AccessMode } from '../protocol';
import { ConfinedPaths } from './confined.paths';
import type { ActivityReporter } from '../registration/activity.reporter';
import type { ControlCommands } from './control.commands';
import { splitCommandLine } from './command-line.parser';
import { ExecSession, ExitCode } from './exec.session';
import { SftpWorkspaceHandler } from './sftp-workspace.handler';
import { TESTER_USAGE, TesterCommands } from './tester.commands';

export interface AgentSshServerDeps {
  hostKey: string;
  /** The server's key from registration; null until registered (then nobody gets in). */
  controlKey: () => PublicKey | null;
  jobs: JobAccess;
  control: ControlCommands;
  tester: TesterCommands;
  /** The job workspace served over SFTP; null disables SFTP (system mode uses OpenSSH). */
  workspaceRoot: string | null;
  accessMode: AccessMode;
  /** Told of tester sessions and commands (the server's inactivity timeout); none in tests. */
  activity?: Pick<ActivityReporter, 'touch' | 'sessionOpened'>;
  log: Logger;
}

type Role = { kind: 'control' } | { kind: 'tester'; user: string; generation: number };

/**
 * The agent's SSH server. Public keys only: the control user with the server's key, the job
 * user with the current job's keys; everyone else is refused. Control connections run the
 * control commands; tester connections get the board commands and SFTP, never a shell.
 */
export class AgentSshServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  /** A listen() is pending: its error is that call's rejection, reported by the caller. */
  private binding = false;

  constructor(private readonly d: AgentSshServerDeps) {
    this.server = new Server({ hostKeys: [d.hostKey], ident: 'dryad-agent' }, (client) =>
      this.onConnection(client),
    );
    this.server.on('error', (error: Error) => {
      if (!this.binding) d.log.error(`SSH server: ${error.message}`);
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.binding = false;
        const hint =
          error.code === 'EADDRINUSE' ? ': another program uses this port; change ssh.listen' : '';
        reject(new Error(`cannot listen on ${host}:${port} (${error.message})${hint}`));
      };
      this.binding = true;
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.binding = false;
        this.server.removeListener('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: Connection): void {
    this.connections.add(client);
    // Answers are small packets (exit status, EOF, close; a console's keystroke echoes): with
    // Nagle's algorithm each one after the first waited for the peer's delayed ACK.
    // (ssh2's server-side Connection has setNoDelay; its typings do not say so.)
    (client as unknown as { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    let role: Role | null = null;
    let untrack: () => void = () => undefined;
    const gone = new AbortController();
    client.on('error', (error: Error) => this.d.log.debug(`SSH client error: ${error.message}`));
    client.on('close', () => {
      this.connections.delete(client);
      untrack();
      gone.abort();
    });
    client.on('authentication', (ctx: AuthContext) => {
      const verdict = this.authenticate(ctx);
      if (verdict === 'reject') return ctx.reject(['publickey']);
      // Set the role before accepting: accept() may emit 'ready' synchronously.
      if (verdict !== 'key-ok') role = verdict;
      ctx.accept();
    });
    client.on('ready', () => {
      if (!role) return client.end();
      if (role.kind === 'tester') {
        const untrackJob = this.d.jobs.track(role.generation, () => client.end());
        const sessionClosed = this.d.activity?.sessionOpened() ?? (() => undefined);
        untrack = () => {
          untrackJob();
          sessionClosed();
        };
        this.d.log.info(`tester ${role.user} connected`);
      }
      const current = role;
      client.on('session', (accept) => this.onSession(accept(), current, gone.signal));
    });
  }

  /**
   * Decides one authentication attempt: reject, 'key-ok' (the client only asks whether a key
   * would do, before signing), or the role of a verified login.
   */
  private authenticate(ctx: AuthContext): Role | 'reject' | 'key-ok' {
    if (ctx.method !== 'publickey') return 'reject';
    const pk = ctx as PublicKeyAuthContext;
    let key: PublicKey | undefined;
    let role: Role | null = null;
    if (pk.username === CONTROL_USER) {
      const serverKey = this.d.controlKey();
      if (serverKey && sameKey(serverKey.parsed, pk.key)) {
        key = serverKey;
        role = { kind: 'control' };
      }
    } else {
      const generation = this.d.jobs.generation;
      key = this.d.jobs.match(pk.username, pk.key);
      if (key) role = { kind: 'tester', user: pk.username, generation };
    }
    if (!key || !role) return 'reject';
    if (!pk.signature) return 'key-ok';
    if (!pk.blob || key.parsed.verify(pk.blob, pk.signature, pk.hashAlgo) !== true) return 'reject';
    return role;
  }

  private onSession(session: Session, role: Role, connectionClosed: AbortSignal): void {
    session.on('pty', (accept) => accept?.()); // `ssh -t board console` wants a terminal
    session.on('window-change', (accept) => accept?.());
    session.on('env', (accept) => accept?.());
    session.on('exec', (accept, _reject, info) => {
      const exec = new ExecSession(accept(), splitCommandLine(info.command), connectionClosed);
      if (!this.stillAllowed(role)) return exec.finish(ExitCode.Failed, 'access revoked');
      if (role.kind === 'tester') this.d.activity?.touch();
      const handler = role.kind === 'control' ? this.d.control : this.d.tester;
      handler.run(exec).catch((error: Error) => exec.finish(ExitCode.Failed, error.message));
    });
    session.on('shell', (accept) => {
      const exec = new ExecSession(accept(), []);
      exec.finish(
        ExitCode.Failed,
        role.kind === 'control'
          ? 'no shell here: run a control command'
          : this.d.accessMode === 'embedded'
            ? `no shell on this board (embedded access mode): run a command instead.\n${TESTER_USAGE}`
            : `no shell on the agent's SSH port: this board gives shells through its own OpenSSH (system access mode).\n${TESTER_USAGE}`,
      );
    });
    // Other subsystems have no listener, which makes ssh2 refuse them.
    session.on('sftp', (accept, reject) => {
      if (role.kind !== 'tester' || !this.d.workspaceRoot || !this.stillAllowed(role))
        return reject();
      this.d.activity?.touch();
      new SftpWorkspaceHandler(accept(), new ConfinedPaths(this.d.workspaceRoot), this.d.log);
    });
  }

  private stillAllowed(role: Role): boolean {
    return role.kind === 'control' || role.generation === this.d.jobs.generation;
  }
}
