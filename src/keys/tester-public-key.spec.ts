import { utils } from 'ssh2';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { parseTesterPublicKey } from './tester-public-key';

describe("parseTesterPublicKey: a tester's own OpenSSH key", () => {
  it('takes ed25519, ecdsa and rsa of 2048 bits or more, comment kept', () => {
    const ed = generateEd25519KeyPair('alice@laptop').public.trim();
    expect(parseTesterPublicKey(`  ${ed}\n`)).toBe(ed);
    for (const pair of [
      utils.generateKeyPairSync('ecdsa', { bits: 384 }),
      utils.generateKeyPairSync('rsa', { bits: 2048 }),
    ])
      expect(parseTesterPublicKey(pair.public)).toBe(pair.public.trim());
  });

  it('refuses short RSA, private keys, two lines and junk, naming the field', () => {
    const rsa = utils.generateKeyPairSync('rsa', { bits: 1024 });
    expect(() => parseTesterPublicKey(rsa.public)).toThrow(
      /^publicKey is an RSA key of 1024 bits; at least 2048/,
    );
    expect(() => parseTesterPublicKey(rsa.private)).toThrow(/^publicKey must be exactly one line/);
    const ed = generateEd25519KeyPair().public.trim();
    expect(() => parseTesterPublicKey(`${ed}\n${ed}`)).toThrow(/exactly one line/);
    expect(() => parseTesterPublicKey('ssh-ed25519 AAAA', 'key')).toThrow(
      /^key is not an OpenSSH public key/,
    );
  });
});
