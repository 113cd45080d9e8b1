import { rawRequest } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

describe('durability: what the server acknowledged survives kill -9', () => {
  const dir = tempDir();
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('every request answered 201 is there after the server is killed mid-burst and restarted', async () => {
    server = await startServer({ dataDir: dir.path });
    const acknowledged = new Map<number, number>();
    let stopped = false;
    const client = async (seed: number) => {
      for (let i = 0; !stopped; i++) {
        const priority = 1 + ((seed + i) % 16);
        const answer = await rawRequest(server!.baseUrl, 'POST', '/api/v1/reqs/', {
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ Priority: priority, Caps: { board: 'not-here' } }),
        }).catch(() => null);
        if (answer?.status === 201) acknowledged.set(JSON.parse(answer.body).ReqID, priority);
      }
    };
    const clients = Array.from({ length: 16 }, (_, seed) => client(seed));
    await waitFor(() => acknowledged.size >= 400, '400 acknowledged creates');
    process.kill(server.pid, 'SIGKILL');
    stopped = true;
    await Promise.all(clients);
    await server.stop();

    server = await startServer({ dataDir: dir.path });
    const found = new Map<number, { Priority: number; State: string }>();
    for (let border = 0; ;) {
      const page = await rawRequest(server.baseUrl, 'POST', '/api/v1/reqs/list', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ Paginator: { ID: border, Direction: 'forward', Limit: 1000 } }),
      });
      const items: Array<{ ID: number; Priority: number; State: string }> = JSON.parse(page.body);
      for (const item of items) found.set(item.ID, item);
      if (page.header('Boruta-List-Remaining') === '0' || items.length === 0) break;
      border = items[items.length - 1].ID;
    }
    const lost = [...acknowledged].filter(([id, priority]) => found.get(id)?.Priority !== priority);
    expect(lost).toEqual([]);
    expect([...found.values()].every((r) => r.State === 'WAITING')).toBe(true);
  });
});
