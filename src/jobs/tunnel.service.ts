import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { readHostPort } from 'dryad-agent/net/host-port';
import * as net from 'node:net';
import { AppConfig } from '../config/app-config';
import { TunnelOfEndedJobError, TunnelUnavailableError } from './job.errors';
import { bindListener, SpareTunnelListeners } from './spare-tunnel-listeners';
import { forwardConnection } from './tunnel-forward';

interface Tunnel {
  server: net.Server;
  sockets: Set<net.Socket>;
  port: number;
}

/** Ends of jobs without a tunnel remembered (TunnelService.endedUnopened). */
const ENDED_UNOPENED_KEPT = 10_000;

/** Where a tunnel forwards: the worker's SSH address, or how to look it up. */
export type TunnelTarget = string | (() => Promise<string>);

/**
 * TCP tunnels on the server host, one per running job, forwarding to the worker's SSH address.
 * Closing a tunnel also cuts every connection that went through it, so a tester's access ends
 * with the job. A job starting takes its port ahead of time (reservePort), from listeners bound
 * before it was needed.
 */
@Injectable()
export class TunnelService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TunnelService.name);
  private readonly tunnels = new Map<number, Promise<Tunnel>>();
  private readonly spares: SpareTunnelListeners;
  /**
   * Jobs whose end was seen while this instance had no tunnel for them (most recent last): a
   * tunnel asked for one of them later is refused, so no order of a job's end and its tunnel's
   * opening leaves a tunnel open. On one server only that race (or a tunnel that could not be
   * opened) adds to it; with several, every job another instance tunnelled does, hence the bound.
   */
  private readonly endedUnopened = new Set<number>();

  constructor(private readonly config: AppConfig) {
    this.spares = new SpareTunnelListeners(config.tunnel.host, (error) =>
      this.logger.warn(
        `cannot bind spare tunnel ports on ${config.tunnel.host} (LESHY_TUNNEL_HOST): ${error.message}; each tunnel binds its own`,
      ),
    );
  }

  onModuleInit(): void {
    this.spares.fill();
  }

  /**
   * A port for the tunnel of a job starting now, written with the job's row; its tunnel opens
   * on it (open with it as `preferredPort`) once the job has committed. Null when no spare port
   * is ready: the tunnel then binds one and records it.
   */
  reservePort(): number | null {
    return this.spares.take();
  }

  /**
   * Opens (or returns) the tunnel of a job; on `preferredPort` when it was reserved for the job
   * or is free (after a restart). The tunnel counts as open from this call on (a close finds
   * it), even while `target` is looked up. `opened` says whether this call opened it (false: it
   * was open already). Throws
   * TunnelUnavailableError when the worker's address is unusable or nothing can be bound on
   * LESHY_TUNNEL_HOST.
   */
  open(
    requestId: number,
    target: TunnelTarget,
    preferredPort: number | null,
  ): Promise<{ ip: string; port: number; opened: boolean }> {
    if (this.endedUnopened.has(requestId)) {
      // The port reserved for it, if any, is given up too.
      this.spares.claim(preferredPort)?.server.close();
      return Promise.reject(new TunnelOfEndedJobError(requestId));
    }
    let tunnel = this.tunnels.get(requestId);
    const opened = !tunnel;
    if (!tunnel) {
      tunnel = this.listen(requestId, target, preferredPort);
      this.tunnels.set(requestId, tunnel);
      tunnel.catch(() => this.tunnels.delete(requestId));
    }
    return tunnel.then((t) => ({ ip: this.config.tunnel.advertisedIp, port: t.port, opened }));
  }

  /**
   * Closes the tunnel of a job that ended, cutting its connections. A job whose end comes
   * before its tunnel was asked for never gets one (open refuses it: TunnelOfEndedJobError).
   */
  async close(requestId: number): Promise<void> {
    const pending = this.tunnels.get(requestId);
    if (!pending) {
      this.endedUnopened.add(requestId);
      if (this.endedUnopened.size > ENDED_UNOPENED_KEPT)
        this.endedUnopened.delete(this.endedUnopened.values().next().value!);
      return;
    }
    this.tunnels.delete(requestId);
    const tunnel = await pending.catch(() => null);
    if (!tunnel) return;
    for (const socket of tunnel.sockets) socket.destroy();
    await new Promise<void>((resolve) => tunnel.server.close(() => resolve()));
    this.logger.log(`request ${requestId}: tunnel on port ${tunnel.port} closed`, { requestId });
  }

  isOpen(requestId: number): boolean {
    return this.tunnels.has(requestId);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.tunnels.keys()].map((id) => this.close(id)));
    await this.spares.close();
  }

  private async listen(
    requestId: number,
    address: TunnelTarget,
    preferredPort: number | null,
  ): Promise<Tunnel> {
    // Taken at once: the port reserved for this job is this call's from now on.
    const reserved = this.spares.claim(preferredPort);
    let target: { host: string; port: number };
    try {
      // Addresses are checked at registration; one stored before that check may still be bad.
      const parsed = readHostPort(typeof address === 'string' ? address : await address());
      if ('problem' in parsed)
        throw new TunnelUnavailableError(requestId, `the worker's SSH address: ${parsed.problem}`);
      target = parsed.address;
    } catch (error) {
      reserved?.server.close();
      throw error;
    }
    const sockets = new Set<net.Socket>();
    const forward = (client: net.Socket) =>
      forwardConnection(client, target, sockets, (error) =>
        this.logger.warn(
          `request ${requestId}: cannot dial ${target.host}:${target.port}: ${error.message}`,
          { requestId },
        ),
      );
    if (reserved) {
      reserved.attach(forward);
      return this.opened(requestId, reserved.server, sockets, reserved.port, target);
    }
    const server = net.createServer(forward);
    // The port of before a restart may have been taken meanwhile: any free port will do.
    const host = this.config.tunnel.host;
    const port = await bindListener(server, host, preferredPort ?? 0)
      .catch(() => bindListener(server, host, 0))
      .catch((error: Error) => {
        throw new TunnelUnavailableError(
          requestId,
          `cannot listen on ${this.config.tunnel.host} (LESHY_TUNNEL_HOST): ${error.message}`,
        );
      });
    return this.opened(requestId, server, sockets, port, target);
  }

  private opened(
    requestId: number,
    server: net.Server,
    sockets: Set<net.Socket>,
    port: number,
    target: { host: string; port: number },
  ): Tunnel {
    this.logger.log(
      `request ${requestId}: tunnel ${this.config.tunnel.host}:${port} → ${target.host}:${target.port}`,
      { requestId },
    );
    return { server, sockets, port };
  }
}
