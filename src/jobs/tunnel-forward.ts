import * as net from 'node:net';

/**
 * Pipes one tester connection to the worker's SSH address. Whatever goes wrong with the target
 * (refused, reset, or a dial that throws at once, as net.connect does for a port out of range)
 * ends with both sockets destroyed: a failing target closes the tester's connection, never the
 * server. `sockets` holds the live sockets, so closing the tunnel can cut them.
 */
export function forwardConnection(
  client: net.Socket,
  target: { host: string; port: number },
  sockets: Set<net.Socket>,
  onDialError: (error: Error) => void,
): void {
  let upstream: net.Socket;
  try {
    upstream = net.connect(target.port, target.host);
  } catch (error) {
    onDialError(error as Error);
    client.destroy();
    return;
  }
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {
      client.destroy();
      upstream.destroy();
    });
    socket.on('close', () => {
      sockets.delete(socket);
      client.destroy();
      upstream.destroy();
    });
  }
  client.pipe(upstream);
  upstream.pipe(client);
}
