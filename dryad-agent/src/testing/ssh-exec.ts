import { Client, ClientChannel } from 'ssh2';

export interface SshTarget {
  port: number;
  username: string;
  privateKey: string;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Connects with a real ssh2 client; rejects on auth failure. */
export function sshConnect(target: SshTarget): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => {
      client.removeListener('error', reject);
      // A server that ends the connection (revoked access) may reset it; tests watch 'close'.
      client.on('error', () => undefined);
      resolve(client);
    });
    client.once('error', reject);
    client.connect({
      host: '127.0.0.1',
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      readyTimeout: 5000,
    });
  });
}

export function execOn(
  client: Client,
  command: string,
  stdin?: string | Buffer,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel: ClientChannel) => {
      if (error) return reject(error);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      channel.on('data', (d: Buffer) => (stdout += d.toString()));
      channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => resolve({ code, stdout, stderr }));
      if (stdin !== undefined) channel.end(stdin);
      else channel.end();
    });
  });
}

/** Connect, run one command, disconnect. */
export async function sshExec(
  target: SshTarget,
  command: string,
  stdin?: string | Buffer,
): Promise<ExecResult> {
  const client = await sshConnect(target);
  try {
    return await execOn(client, command, stdin);
  } finally {
    client.end();
  }
}
