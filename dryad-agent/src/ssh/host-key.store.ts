import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { utils } from 'ssh2';
import { generateEd25519KeyPair } from '../ssh-keys';

export interface HostKey {
  /** OpenSSH private key text, for ssh2's Server. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…`, as sent to the server at registration. */
  publicLine: string;
}

/**
 * The agent SSH server's identity: an ed25519 key made on first start and kept on disk, so
 * the server's known-host entry for the board stays valid across restarts.
 */
export function loadOrCreateHostKey(path: string): HostKey {
  if (!existsSync(path)) {
    const pair = generateEd25519KeyPair('dryad-agent host key');
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, pair.private, { mode: 0o600, flag: 'wx' });
  }
  const privateKey = readFileSync(path, 'utf8');
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed) || !parsed.isPrivateKey()) {
    const why = parsed instanceof Error ? parsed.message : 'not a single private key';
    throw new Error(
      `host key ${path} is unusable (${why}): move it away and the agent makes a new one`,
    );
  }
  return { privateKey, publicLine: `${parsed.type} ${parsed.getPublicSSH().toString('base64')}` };
}
