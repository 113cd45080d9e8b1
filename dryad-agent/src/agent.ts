import { join } from 'node:path';
import type { AccessBackend } from './access/access.backend';
import { accessBackendFor } from './access/access-backend.factory';
import { JobAccess } from './access/job.access';
import { JobWorkspace } from './access/job.workspace';
import { BoardService } from './board/board.service';
import { ConsolePort } from './board/console.port';
import { MaintenanceDisplay } from './board/maintenance.display';
import { DeviceSerialEndpoint, SerialEndpoint } from './board/serial.endpoint';
import { StmConnection } from './board/stm.connection';
import type { AgentConfig } from './config/agent.config';
import { ControlService } from './control/control.service';
import { HealthMonitor } from './health/health.monitor';
import { Logger } from './log/logger';
import { ACTIVITY_REPORT_INTERVAL_MS } from './protocol';
import type { RegisterAgentRequest } from './protocol';
import { ActivityReporter } from './registration/activity.reporter';
import { AgentApiClient } from './registration/agent-api.client';
import { RegistrationService } from './registration/registration.service';
import { advertisedAddresses } from './ssh/advertised.addresses';
import { AgentSshServer } from './ssh/agent-ssh.server';
import { ControlCommands } from './ssh/control.commands';
import { loadOrCreateHostKey } from './ssh/host-key.store';
import { TesterCommands } from './ssh/tester.commands';
import { agentVersion } from './version';

export interface AgentOptions {
  config: AgentConfig;
  /** Default: the serial device of config.stm. The fleet passes in-memory streams. */
  stmEndpoint?: SerialEndpoint;
  consoleEndpoint?: SerialEndpoint;
  logger?: Logger;
  /** Default: from config.accessMode. */
  accessBackend?: AccessBackend;
  fetch?: typeof fetch;
  blinkPeriodMs?: number;
  retry?: { initialMs?: number; maxMs?: number; slowMs?: number };
  /**
   * When the port of ssh.listen is taken: fail (default, a config says which port), or listen
   * on any free port with a warning (a fleet board whose remembered port was taken meanwhile).
   */
  whenListenPortTaken?: 'fail' | 'any-port';
  /** At most one tester-activity report per this long (default ACTIVITY_REPORT_INTERVAL_MS). */
  activityReportIntervalMs?: number;
}

/**
 * One dryad-agent: wires the STM, the console, job access, the SSH server, registration and
 * health monitoring together, and starts and stops them in order.
 */
export class Agent {
  readonly log: Logger;
  readonly registration: RegistrationService;
  readonly control: ControlService;
  readonly board: BoardService;
  readonly jobs: JobAccess;
  readonly stm: StmConnection;
  readonly console: ConsolePort;
  readonly health: HealthMonitor;
  readonly activity: ActivityReporter;
  private readonly display: MaintenanceDisplay;
  private readonly workspace: JobWorkspace;
  private readonly backend: AccessBackend;
  private ssh: AgentSshServer | null = null;
  private addresses: { controlAddr: string; sshAddr: string } | null = null;
  private port = 0;
  private hostKeyLine = '';
  private starting: Promise<void> | null = null;
  /** Set once the start has cleaned up after the previous run: stop() only cleans after that. */
  private accessRecovered = false;

  constructor(private readonly options: AgentOptions) {
    const c = options.config;
    this.log = (options.logger ?? new Logger(c.logLevel)).forBoard(c.uuid);
    this.backend = options.accessBackend ?? accessBackendFor(c, this.log);
    this.stm = new StmConnection(
      options.stmEndpoint ?? new DeviceSerialEndpoint(c.stm.path, c.stm.baud),
      c.stm.timeoutMs,
      this.log,
    );
    this.console = new ConsolePort(
      options.consoleEndpoint ?? new DeviceSerialEndpoint(c.console.path, c.console.baud),
      c.console.checkIntervalMs,
      this.log.child('console'),
    );
    this.jobs = new JobAccess(this.log.child('access'));
    this.workspace = new JobWorkspace(join(c.dataDir, 'workspace'));
    this.display = new MaintenanceDisplay(
      this.stm,
      this.log.child('display'),
      options.blinkPeriodMs,
    );
    this.board = new BoardService(this.stm, c.sdcard.device, this.log.child('board'));
    this.control = new ControlService({
      uuid: c.uuid,
      jobUser: c.ssh.jobUser,
      jobs: this.jobs,
      workspace: this.workspace,
      backend: this.backend,
      display: this.display,
      board: this.board,
      stm: this.stm,
      console: this.console,
      healthcheckTickMs: c.stm.healthcheckTickMs,
      log: this.log.child('control'),
    });
    const api = new AgentApiClient(c.server.url, c.server.token, options.fetch);
    this.registration = new RegistrationService(
      api,
      c.uuid,
      () => this.registerRequest(),
      {
        heartbeatIntervalMs: c.server.heartbeatIntervalMs,
        retryInitialMs: options.retry?.initialMs,
        retryMaxMs: options.retry?.maxMs,
        slowRetryMs: options.retry?.slowMs,
      },
      this.log.child('registration'),
    );
    this.activity = new ActivityReporter(
      () => api.reportActivity(c.uuid),
      options.activityReportIntervalMs ?? ACTIVITY_REPORT_INTERVAL_MS,
      this.log.child('activity'),
    );
    this.health = new HealthMonitor(
      this.stm,
      this.console,
      this.registration,
      c.stm.probeIntervalMs,
      this.log.child('health'),
    );
  }

  get uuid(): string {
    return this.options.config.uuid;
  }

  /** Advertised addresses (after start). */
  get controlAddr(): string {
    return this.addresses?.controlAddr ?? '';
  }

  get sshAddr(): string {
    return this.addresses?.sshAddr ?? '';
  }

  /** The port the SSH server listens on (after start; 0 before). */
  get listenPort(): number {
    return this.port;
  }

  /** Starts everything; stop() waits for a start in progress before tearing down. */
  start(): Promise<void> {
    this.starting ??= this.startParts();
    return this.starting;
  }

  private async startParts(): Promise<void> {
    const c = this.options.config;
    if (c.accessMode === 'system' && !this.options.accessBackend && process.getuid?.() !== 0) {
      throw new Error(
        'access_mode "system" creates a Unix user per job and needs root: run the agent as root, or use access_mode = "embedded"',
      );
    }
    const hostKey = loadOrCreateHostKey(c.ssh.hostKeyPath);
    this.hostKeyLine = hostKey.publicLine;
    // Whatever access existed before a restart is unknown now: start with none.
    await this.workspace.reset();
    await this.backend.recover(c.ssh.jobUser);
    this.accessRecovered = true;

    this.ssh = new AgentSshServer({
      hostKey: hostKey.privateKey,
      controlKey: () => this.registration.controlKey,
      jobs: this.jobs,
      control: new ControlCommands(this.control, this.log.child('control')),
      tester: new TesterCommands(this.board, this.console, this.log.child('tester')),
      workspaceRoot: this.backend.mode === 'embedded' ? this.workspace.root : null,
      accessMode: this.backend.mode,
      activity: this.activity,
      log: this.log.child('ssh'),
    });
    const port = await this.listen(this.ssh);
    this.port = port;
    this.addresses = advertisedAddresses(c, port);
    this.log.info(
      `SSH server listening on ${c.ssh.listen.host}:${port}; control ${this.controlAddr}, testers ${this.sshAddr}`,
    );

    await this.console.start();
    this.health.start();
    this.registration.start();
  }

  private async listen(ssh: AgentSshServer): Promise<number> {
    const { host, port } = this.options.config.ssh.listen;
    try {
      return await ssh.listen(host, port);
    } catch (error) {
      if (this.options.whenListenPortTaken !== 'any-port' || port === 0) throw error;
      if (!/EADDRINUSE/.test((error as Error).message)) throw error;
      const fresh = await ssh.listen(host, 0);
      this.log.warn(
        `SSH port ${port} is taken by another program: listening on ${fresh} instead; the server sees changed addresses (BUSY, then MAINTENANCE until an admin sets the board IDLE)`,
      );
      return fresh;
    }
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.registration.stop();
    this.activity.stop();
    this.health.stop();
    this.display.stopBlinking();
    this.jobs.revoke('agent stopping');
    // Tester access must not outlive the agent: in system mode the job user goes now, as at a
    // close (the server learns of it when the agent registers again).
    if (this.accessRecovered) {
      await this.control
        .close()
        .catch((error: Error) => this.log.error(`removing the job user failed: ${error.message}`));
    }
    await this.ssh?.close();
    this.console.stop();
    this.stm.close();
  }

  private registerRequest(): RegisterAgentRequest {
    const c = this.options.config;
    return {
      uuid: c.uuid,
      caps: { ...c.caps, UUID: c.uuid },
      controlAddr: this.controlAddr,
      sshAddr: this.sshAddr,
      hostKey: this.hostKeyLine,
      accessMode: this.backend.mode,
      agentVersion: agentVersion(),
    };
  }
}
