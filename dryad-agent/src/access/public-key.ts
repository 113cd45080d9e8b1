import { utils } from 'ssh2';
import type { ParsedKey } from 'ssh2';

/** A public key as testers and the server hand it over: one OpenSSH line. */
export interface PublicKey {
  parsed: ParsedKey;
  /** `type base64` without the comment, as written to authorized_keys. */
  line: string;
}

export class PublicKeyError extends Error {
  override name = 'PublicKeyError';
}

/** Parses one OpenSSH public key line (`ssh-ed25519 AAAA… comment`); rejects private keys. */
export function parsePublicKeyLine(line: string): PublicKey {
  const text = line.trim();
  const parsed = utils.parseKey(text);
  if (parsed instanceof Error || Array.isArray(parsed)) {
    throw new PublicKeyError(
      `not an OpenSSH public key line (${parsed instanceof Error ? parsed.message : 'several keys'})`,
    );
  }
  if (parsed.isPrivateKey())
    throw new PublicKeyError('that is a private key; send the public key line (.pub)');
  return { parsed, line: `${parsed.type} ${parsed.getPublicSSH().toString('base64')}` };
}

/** Every non-empty, non-comment line of `text` must be a public key; at least one. */
export function parsePublicKeyLines(text: string): PublicKey[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  if (lines.length === 0)
    throw new PublicKeyError('expected an OpenSSH public key line on stdin, got nothing');
  return lines.map((l, i) => {
    try {
      return parsePublicKeyLine(l);
    } catch (error) {
      throw new PublicKeyError(`line ${i + 1}: ${(error as Error).message}`);
    }
  });
}

/** Whether a key offered in SSH authentication (algorithm name + blob) is this key. */
export function sameKey(key: ParsedKey, offered: { algo: string; data: Buffer }): boolean {
  return key.getPublicSSH().equals(offered.data) && algorithmMatches(key.type, offered.algo);
}

/** RSA keys are offered as ssh-rsa or its SHA-2 signature variants. */
function algorithmMatches(keyType: string, offered: string): boolean {
  if (keyType === offered) return true;
  return keyType === 'ssh-rsa' && (offered === 'rsa-sha2-256' || offered === 'rsa-sha2-512');
}
