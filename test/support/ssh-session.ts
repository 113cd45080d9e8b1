import { Client } from 'ssh2';

/** An SSH connection as a tester makes it with what acquire_worker returned. */
export function sshConnect(options: {
  host: string;
  port: number;
  username: string;
  privateKey: string;
}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({ ...options, readyTimeout: 10_000 });
  });
}

/** Runs a command and resolves with its stdout and exit code. */
export function sshExec(
  client: Client,
  command: string,
): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let stdout = '';
      let code: number | null = null;
      stream.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      stream.stderr.on('data', () => undefined);
      stream.on('exit', (exitCode: number | null) => (code = exitCode));
      stream.on('close', () => resolve({ stdout, code }));
    });
  });
}

/** Whether the SSH server refuses this key (authentication fails). */
export async function sshRefused(options: Parameters<typeof sshConnect>[0]): Promise<boolean> {
  try {
    const client = await sshConnect(options);
    client.end();
    return false;
  } catch (error) {
    return /authentication methods failed/i.test((error as Error).message);
  }
}
