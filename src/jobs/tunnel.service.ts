import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { readHostPort } from 'dryad-agent/net/host-port';
import * as net from 'node:net';
import { AppConfig } from '../config/app-config';
import { TunnelUnavailableError } from './job.errors';
import { forwardConnection } from './tunnel-forward';

interface Tunnel {
  server: net.Server;
  sockets: Set<net.Socket>;
  port: number;
}

/**
 * TCP tunnels on the server host, one per running job, forwarding to the worker's SSH address.
 * Closing a tunnel also cuts every connection that went through it, so a tester's access ends
 * with the job.
 */
@Injectable()
export class TunnelService implements OnApplicationShutdown {
  private readonly logger = new Logger(TunnelService.name);
  private readonly tunnels = new Map<number, Promise<Tunnel>>();

  constructor(private readonly config: AppConfig) {}

  /**
   * Opens (or returns) the tunnel of a job; reuses `preferredPort` when it is free (after a
   * restart). `opened` says whether this call opened it (false: it was open already). Throws
   * TunnelUnavailableError when the worker's address is unusable or nothing can be bound on
   * LESHY_TUNNEL_HOST.
   */
  open(
    requestId: number,
    target: string,
    preferredPort: number | null,
  ): Promise<{ ip: string; port: number; opened: boolean }> {
    let tunnel = this.tunnels.get(requestId);
    const opened = !tunnel;
    if (!tunnel) {
      tunnel = this.listen(requestId, target, preferredPort);
      this.tunnels.set(requestId, tunnel);
      tunnel.catch(() => this.tunnels.delete(requestId));
    }
    return tunnel.then((t) => ({ ip: this.config.tunnel.advertisedIp, port: t.port, opened }));
  }

  async close(requestId: number): Promise<void> {
    const pending = this.tunnels.get(requestId);
    if (!pending) return;
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
  }

  private async listen(
    requestId: number,
    address: string,
    preferredPort: number | null,
  ): Promise<Tunnel> {
    // Addresses are checked at registration; one stored before that check may still be bad.
    const parsed = readHostPort(address);
    if ('problem' in parsed)
      throw new TunnelUnavailableError(requestId, `the worker's SSH address: ${parsed.problem}`);
    const target = parsed.address;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) =>
      forwardConnection(client, target, sockets, (error) =>
        this.logger.warn(
          `request ${requestId}: cannot dial ${target.host}:${target.port}: ${error.message}`,
          { requestId },
        ),
      ),
    );
    // The port of before a restart may have been taken meanwhile: any free port will do.
    const port = await this.bind(server, preferredPort)
      .catch(() => this.bind(server, 0))
      .catch((error: Error) => {
        throw new TunnelUnavailableError(
          requestId,
          `cannot listen on ${this.config.tunnel.host} (LESHY_TUNNEL_HOST): ${error.message}`,
        );
      });
    this.logger.log(
      `request ${requestId}: tunnel ${this.config.tunnel.host}:${port} → ${target.host}:${target.port}`,
      { requestId },
    );
    return { server, sockets, port };
  }

  private bind(server: net.Server, port: number | null): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port ?? 0, this.config.tunnel.host, () => {
        server.off('error', onError);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }
}
