import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The job's private key in a 0600 file of a 0700 temp dir, for `ssh -i`. Removed by remove(),
 * and in any case when the process exits (Ctrl-C included: the CLI turns SIGINT/SIGTERM into
 * an exit, see main.ts), so the key does not outlive the command.
 */
export class TempKeyFile {
  readonly path: string;
  private readonly dir: string;
  private readonly onExit = () => this.remove();

  constructor(privateKey: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'leshy-key-'));
    this.path = path.join(this.dir, 'job_key');
    writeFileSync(this.path, privateKey.endsWith('\n') ? privateKey : privateKey + '\n', {
      mode: 0o600,
    });
    process.once('exit', this.onExit);
  }

  remove(): void {
    process.removeListener('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
