import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where a simulated board keeps what must survive a fleet restart: its UUID (the server
 * knows the worker by it), beside it its SSH host key, and the SSH port it listened on (the
 * server knows the worker's addresses too: new ones make it BUSY, then MAINTENANCE).
 */
export class BoardIdentityStore {
  constructor(private readonly dataDir: string) {}

  boardDir(index: number): string {
    return join(this.dataDir, `board-${index}`);
  }

  uuid(index: number): string {
    const dir = this.boardDir(index);
    const file = join(dir, 'uuid');
    if (existsSync(file)) {
      const uuid = readFileSync(file, 'utf8').trim();
      if (UUID_RE.test(uuid)) return uuid;
      throw new Error(
        `${file} does not hold a UUID: delete it to give board ${index} a new identity`,
      );
    }
    mkdirSync(dir, { recursive: true });
    const uuid = randomUUID();
    writeFileSync(file, uuid + '\n');
    return uuid;
  }

  /** The SSH port the board listened on last time; null if none was kept (or it is unreadable). */
  sshPort(index: number): number | null {
    const file = this.portFile(index);
    if (!existsSync(file)) return null;
    const port = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
  }

  saveSshPort(index: number, port: number): void {
    mkdirSync(this.boardDir(index), { recursive: true });
    writeFileSync(this.portFile(index), `${port}\n`);
  }

  private portFile(index: number): string {
    return join(this.boardDir(index), 'ssh-port');
  }
}
