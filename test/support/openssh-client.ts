import { execFile } from 'node:child_process';

export interface OpenSshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` on `user@host:port` with the real OpenSSH client (`ssh -i key`), as a tester
 * does: public key authentication only, no agent, no known_hosts (the tunnel's host key is the
 * board's, pinned by the server, not by the tester).
 */
export function openSsh(options: {
  host: string;
  port: number;
  username: string;
  identityFile: string;
  command: string;
  timeoutMs?: number;
}): Promise<OpenSshResult> {
  const args = [
    '-F',
    'none',
    '-i',
    options.identityFile,
    '-p',
    String(options.port),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    'PreferredAuthentications=publickey',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ConnectTimeout=10',
    `${options.username}@${options.host}`,
    options.command,
  ];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: options.timeoutMs ?? 20_000 }, (error, stdout, stderr) => {
      const code =
        error && typeof (error as { code?: unknown }).code === 'number'
          ? ((error as { code: number }).code as number)
          : error
            ? null
            : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
