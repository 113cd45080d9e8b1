import * as net from 'node:net';
import { forwardConnection } from './tunnel-forward';

/**
 * A listener whose connections are forwarded to `target`; resolves with its port. The dial
 * errors forwardConnection reports are collected in `dialErrors`.
 */
async function tunnelTo(target: { host: string; port: number }, dialErrors: Error[]) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) =>
    forwardConnection(client, target, sockets, (error) => dialErrors.push(error)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** Connects and resolves once the other side has closed the connection. */
function closedByTunnel(port: number): Promise<'closed'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => resolve('closed'));
    setTimeout(() => reject(new Error('the tunnel kept the connection open')), 5_000).unref();
  });
}

async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('forwardConnection: a failing target closes the tester connection, not the server', () => {
  const servers: net.Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it('a target that refuses the connection', async () => {
    const errors: Error[] = [];
    const { server, port } = await tunnelTo({ host: '127.0.0.1', port: await deadPort() }, errors);
    servers.push(server);
    await expect(closedByTunnel(port)).resolves.toBe('closed');
  });

  it('a port out of range (net.connect throws ERR_SOCKET_BAD_PORT at once)', async () => {
    const errors: Error[] = [];
    const { server, port } = await tunnelTo({ host: '127.0.0.1', port: 99999 }, errors);
    servers.push(server);
    await expect(closedByTunnel(port)).resolves.toBe('closed');
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ERR_SOCKET_BAD_PORT']);
    // The listener is still there for the next connection.
    await expect(closedByTunnel(port)).resolves.toBe('closed');
  });
});
