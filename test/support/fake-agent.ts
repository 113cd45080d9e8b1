import {
  AGENT_API_PREFIX,
  AgentStatus,
  Caps,
  CONTROL_USER,
  ControlCommand,
  DEFAULT_JOB_USER,
  RegisterAgentRequest,
  RegisterAgentResponse,
  splitCommandLine,
} from 'dryad-agent/protocol';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { Connection, ParsedKey, Server, ServerChannel, utils } from 'ssh2';
import { v1Json } from './http-client';
import { waitFor } from './wait-for';

export interface FakeAgentOptions {
  /** Base URL of the Leshy server, e.g. http://127.0.0.1:8487. */
  serverUrl: string;
  /** LESHY_AGENT_TOKEN of that server. */
  agentToken: string;
  uuid: string;
  /** Caps to register with (the server adds UUID). */
  caps: Caps;
  /** User name `prepare` answers with (upstream's default). */
  jobUsername?: string;
  /**
   * Host key line sent at registration; default: the one the SSH server presents. Another key
   * stands for a board whose host key changed (or someone else answering at its address).
   */
  registeredHostKey?: string;
}

function parseKey(line: string): ParsedKey {
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

/**
 * A small but real agent for tests: an SSH server (ssh2, ed25519 host key, 127.0.0.1) that
 * registers through POST /api/v2/agents/register like dryad-agent, accepts the control user
 * `dryad` only with the server key it learnt at registration, and the job user only with the
 * key of the latest `prepare` (the previous job's key is refused from then on).
 *
 * Control commands: prepare (job public key on stdin → {"username": …}), maintenance <msg>,
 * healthcheck (exit 0), status (AgentStatus JSON), authorize (one more job key on stdin).
 * Job user commands: `echo <words>` prints the words; `hold` stays open until the client or the
 * connection goes away (to watch a session being cut); anything else exits 127.
 *
 * With `stalled` set, control commands are accepted and never answered, as by a hung agent.
 *
 * Events: `prepare` (public key line), `maintenance` (message), `session` (user, command),
 * `hung-up` (command): the server closed the channel of a stalled control command.
 */
export class FakeAgent extends EventEmitter {
  readonly uuid: string;
  readonly jobUsername: string;
  /** Prepares answered so far. */
  prepares = 0;
  /** The current job's key (OpenSSH line), null before the first prepare. */
  jobKey: string | null = null;
  maintenance: { active: boolean; message: string } = { active: false, message: '' };
  /** When true, control commands never answer (their channels stay open until the server closes them). */
  stalled = false;
  private serverKey: ParsedKey | null = null;
  private extraJobKeys: ParsedKey[] = [];
  private readonly connections = new Set<Connection>();
  private readonly server: Server;
  private readonly hostKey = generateEd25519KeyPair();
  private port = 0;

  private constructor(private readonly options: FakeAgentOptions) {
    super();
    this.uuid = options.uuid;
    this.jobUsername = options.jobUsername ?? DEFAULT_JOB_USER;
    this.server = new Server({ hostKeys: [this.hostKey.private] }, (client) =>
      this.onClient(client),
    );
  }

  /** Starts the SSH server (not yet registered: call register()). */
  static async start(options: FakeAgentOptions): Promise<FakeAgent> {
    const agent = new FakeAgent(options);
    await new Promise<void>((resolve, reject) => {
      agent.server.once('error', reject);
      agent.server.listen(0, '127.0.0.1', () => {
        agent.port = (agent.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
    return agent;
  }

  /** host:port of the SSH server (control and tester sessions: embedded mode). */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get hostKeyLine(): string {
    return this.hostKey.public.trim();
  }

  /** Registers with the server and keeps the server key it answers with. */
  async register(): Promise<RegisterAgentResponse> {
    const body: RegisterAgentRequest = {
      uuid: this.uuid,
      caps: this.options.caps,
      controlAddr: this.address,
      sshAddr: this.address,
      hostKey: this.options.registeredHostKey ?? this.hostKeyLine,
      accessMode: 'embedded',
      agentVersion: 'fake-agent',
    };
    const response = await fetch(`${this.options.serverUrl}${AGENT_API_PREFIX}/register`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${this.options.agentToken}`,
      },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) {
      throw new Error(
        `registration of ${this.uuid} failed: ${response.status} ${await response.text()}`,
      );
    }
    const answer = (await response.json()) as RegisterAgentResponse;
    this.serverKey = parseKey(answer.serverPublicKey);
    return answer;
  }

  /** SSH connections open to it right now (the server keeps one per agent). */
  get openConnections(): number {
    return this.connections.size;
  }

  /** Cuts every SSH connection but keeps listening, as a network hiccup would. */
  dropConnections(): void {
    for (const connection of this.connections) connection.end();
  }

  /** Stops listening and cuts every connection. */
  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private keysFor(username: string): ParsedKey[] {
    if (username === CONTROL_USER) return this.serverKey ? [this.serverKey] : [];
    if (username === this.jobUsername)
      return [...(this.jobKey ? [parseKey(this.jobKey)] : []), ...this.extraJobKeys];
    return [];
  }

  private onClient(client: Connection): void {
    this.connections.add(client);
    let username = '';
    client.on('error', () => undefined);
    client.on('close', () => this.connections.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const key = this.keysFor(ctx.username).find((k) => k.getPublicSSH().equals(ctx.key.data));
      if (!key) return ctx.reject(['publickey']);
      if (ctx.signature && key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true)
        return ctx.reject(['publickey']);
      username = ctx.username;
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, info) => {
          const stream = accept();
          this.emit('session', username, info.command);
          if (username === CONTROL_USER) this.control(info.command, stream);
          else this.tester(info.command, stream, client);
        });
      });
    });
  }

  private finish(stream: ServerChannel, code: number, stdout = '', stderr = ''): void {
    if (stdout) stream.write(stdout);
    if (stderr) stream.stderr.write(stderr);
    stream.exit(code);
    stream.end();
  }

  private readStdin(stream: ServerChannel): Promise<string> {
    return new Promise((resolve) => {
      let input = '';
      stream.on('data', (chunk: Buffer) => (input += chunk.toString()));
      stream.once('end', () => resolve(input));
    });
  }

  private control(command: string, stream: ServerChannel): void {
    // Split as dryad-agent does, so a quoted maintenance message arrives as the agent sees it.
    const [name, ...rest] = splitCommandLine(command);
    if (this.stalled) {
      stream.once('close', () => this.emit('hung-up', command));
      stream.resume(); // ssh2 reports the close only once stdin has been read to its end
      return;
    }
    switch (name) {
      case ControlCommand.Prepare:
        void this.readStdin(stream).then((input) => {
          this.jobKey = input.trim();
          this.extraJobKeys = [];
          this.maintenance = { active: false, message: '' };
          this.prepares++;
          this.emit('prepare', this.jobKey);
          this.finish(stream, 0, JSON.stringify({ username: this.jobUsername }));
        });
        return;
      case ControlCommand.Authorize:
        void this.readStdin(stream).then((input) => {
          this.extraJobKeys.push(parseKey(input.trim()));
          this.finish(stream, 0);
        });
        return;
      case ControlCommand.Maintenance:
        this.maintenance = { active: true, message: rest.join(' ') };
        this.jobKey = null;
        this.extraJobKeys = [];
        this.emit('maintenance', this.maintenance.message);
        return this.finish(stream, 0);
      case ControlCommand.Healthcheck:
        return this.finish(stream, 0);
      case ControlCommand.Status: {
        const status: AgentStatus = {
          uuid: this.uuid,
          accessMode: 'embedded',
          maintenance: this.maintenance,
          job: {
            active: this.jobKey !== null,
            username: this.jobUsername,
            keys: this.jobKey ? 1 : 0,
          },
          stm: { responding: true, power: 'on', mux: 'dut' },
          console: { present: true, path: '/dev/null' },
        };
        return this.finish(stream, 0, JSON.stringify(status));
      }
      default:
        return this.finish(stream, 127, '', `unknown control command: ${name}\n`);
    }
  }

  private tester(command: string, stream: ServerChannel, client: Connection): void {
    const [name, ...rest] = command.split(' ');
    if (name === 'echo') return this.finish(stream, 0, `${rest.join(' ')}\n`);
    if (name === 'hold') {
      stream.write(`holding on ${this.uuid}\n`);
      client.once('close', () => stream.destroy());
      return;
    }
    this.finish(stream, 127, '', `unknown command: ${name}\n`);
  }
}

/**
 * Brings a registered agent's worker to IDLE the way an admin does with API v1:
 * setstate IDLE (the server prepares the board over SSH), then waits until it is IDLE.
 */
export async function bringToIdle(serverUrl: string, agent: FakeAgent, timeoutMs = 15_000) {
  const set = await v1Json(serverUrl, 'POST', `/api/v1/workers/${agent.uuid}/setstate`, {
    WorkerState: 'IDLE',
  });
  if (set.status !== 204)
    throw new Error(`setstate IDLE of ${agent.uuid}: ${set.status} ${set.body}`);
  await waitForWorkerState(serverUrl, agent.uuid, 'IDLE', timeoutMs);
}

export async function waitForWorkerState(
  serverUrl: string,
  uuid: string,
  state: string,
  timeoutMs = 15_000,
): Promise<void> {
  await waitFor(
    async () => {
      const response = await v1Json(serverUrl, 'GET', `/api/v1/workers/${uuid}`);
      const current = response.header('Boruta-Worker-State');
      // Thrown, not returned: a time-out then says which state the worker was stuck in.
      if (current !== state)
        throw new Error(`it is ${current ?? `not found (${response.status})`}`);
      return true;
    },
    `worker ${uuid} to be ${state}`,
    timeoutMs,
  );
}

/** Starts, registers and brings to IDLE one fake agent per spec. */
export async function startIdleAgents(
  serverUrl: string,
  agentToken: string,
  specs: Array<{ uuid: string; caps: Caps }>,
): Promise<FakeAgent[]> {
  const agents = await Promise.all(
    specs.map((spec) => FakeAgent.start({ serverUrl, agentToken, ...spec })),
  );
  for (const agent of agents) await agent.register();
  await Promise.all(agents.map((agent) => bringToIdle(serverUrl, agent)));
  return agents;
}
