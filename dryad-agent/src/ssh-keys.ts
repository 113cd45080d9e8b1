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
