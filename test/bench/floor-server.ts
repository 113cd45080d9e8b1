import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP bench's floor: a process that answers API v1's create, HEAD and close at once, from
 * memory, with node:http and nothing else. The same client against it at the same pace shows
 * what of a figure is this machine, the loopback and the two HTTP stacks rather than Leshy (a
 * target below the floor cannot be met by any server written in Node here).
 */
export interface FloorServer {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

function serve(): void {
  let next = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v1/reqs/') {
        const body = JSON.stringify({ ReqID: ++next });
        res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        res.end(body);
      } else if (req.method === 'HEAD') {
        res.writeHead(204, { 'Boruta-Request-State': 'IN PROGRESS' });
        res.end();
      } else {
        res.writeHead(204);
        res.end();
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
  });
}

export function startFloorServer(): Promise<FloorServer> {
  const child: ChildProcess = spawn(process.execPath, [__filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
    child.stdout?.once('data', (line: Buffer) => {
      child.removeAllListeners('exit');
      resolve({
        baseUrl: `http://127.0.0.1:${line.toString().trim()}`,
        pid: child.pid as number,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

if (require.main === module && process.argv[2] === '--serve') serve();
