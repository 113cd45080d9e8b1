import * as net from 'node:net';
import { SpareTunnelListeners } from './spare-tunnel-listeners';

/** Resolves once `probe` holds, checking every few milliseconds (up to 5 s). */
async function until(probe: () => boolean | Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not reached in 5 s');
}

/** 'refused', 'closed' (accepted, then closed by the listener) or 'open' (still connected). */
function dial(port: number): Promise<'refused' | 'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', () => resolve('refused'));
    socket.once('close', () => resolve('closed'));
    socket.once('connect', () => setTimeout(() => (socket.destroy(), resolve('open')), 100));
  });
}

describe('SpareTunnelListeners', () => {
  const errors: Error[] = [];
  let spares: SpareTunnelListeners;
  afterEach(() => spares.close());

  it('hands out bound ports, refuses their connections until attached, and binds more', async () => {
    spares = new SpareTunnelListeners('127.0.0.1', (e) => errors.push(e), 2, 60_000);
    expect(spares.take()).toBeNull(); // nothing bound yet: the caller binds its own
    const first = await (async () => {
      let port: number | null = null;
      await until(() => (port = spares.take()) !== null);
      return port!;
    })();
    expect(await dial(first)).toBe('closed');
    const listener = spares.claim(first)!;
    expect(listener.port).toBe(first);
    expect(spares.claim(first)).toBeNull(); // claimed once
    const seen: net.Socket[] = [];
    listener.attach((client) => seen.push(client));
    expect(await dial(first)).toBe('open');
    expect(seen).toHaveLength(1);
    listener.server.close();
    // It keeps two spares: two more ports, none of them the first.
    let second: number | null = null;
    let third: number | null = null;
    await until(() => (second ??= spares.take()) !== null && (third ??= spares.take()) !== null);
    expect(new Set([first, second, third]).size).toBe(3);
    expect(errors).toEqual([]);
  });

  it('closes a held port nobody claimed in time', async () => {
    spares = new SpareTunnelListeners('127.0.0.1', (e) => errors.push(e), 1, 50);
    let port: number | null = null;
    await until(() => (port = spares.take()) !== null);
    await until(async () => (await dial(port!)) === 'refused');
    expect(spares.claim(port)).toBeNull();
  });

  it('says when it cannot bind, and hands out nothing', async () => {
    const failures: Error[] = [];
    spares = new SpareTunnelListeners('192.0.2.1', (e) => failures.push(e), 2, 60_000);
    spares.fill();
    await until(() => failures.length > 0);
    expect(failures[0].message).toMatch(/EADDRNOTAVAIL/);
    expect(spares.take()).toBeNull();
  });
});
