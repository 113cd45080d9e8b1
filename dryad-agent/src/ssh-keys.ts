import { createHash } from 'node:crypto';
import { utils } from 'ssh2';

export interface KeyPair {
  /** OpenSSH private key text. */
  private: string;
  /** OpenSSH public key line. */
  public: string;
}

/**
 * Shared by the agent (host keys) and the server (its own key). A fresh ed25519 key pair in OpenSSH format, from ssh2's generator. ssh2 1.17 drops a leading
 * zero byte of the public key (about one key in 200), which yields a key nobody can parse;
 * such pairs are thrown away and generated again.
 */
export function generateEd25519KeyPair(comment?: string): KeyPair {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', comment === undefined ? {} : { comment });
    const priv = utils.parseKey(pair.private);
    const pub = utils.parseKey(pair.public);
    if (!(priv instanceof Error) && !(pub instanceof Error)) return pair;
  }
  throw new Error('could not generate a usable ed25519 key pair');
}

/**
 * OpenSSH's fingerprint of a public key (`SHA256:` and the unpadded base64 of the SHA-256 of
 * its wire blob), from its OpenSSH line or its blob. The server names a job by its key's
 * fingerprint when it asks the agent to admit one more key for that job.
 */
export function keyFingerprint(key: string | Buffer): string {
  let blob: Buffer;
  if (Buffer.isBuffer(key)) blob = key;
  else {
    const parsed = utils.parseKey(key);
    if (parsed instanceof Error) throw parsed;
    blob = (Array.isArray(parsed) ? parsed[0] : parsed).getPublicSSH();
  }
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
