import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { utils } from 'ssh2';
import { generateJobKeyPair, modInverse } from './rsa-key';

describe('job key pairs', () => {
  const pair = generateJobKeyPair();

  it('is an RSA-2048 key in PKCS#1 PEM that OpenSSL accepts', () => {
    expect(pair.privateKeyPem).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END RSA PRIVATE KEY-----\n$/,
    );
    const key = createPrivateKey(pair.privateKeyPem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
  });

  it('signs what its OpenSSH public half verifies', () => {
    const data = Buffer.from('job access');
    const signature = sign('sha256', data, pair.privateKeyPem);
    const parsed = utils.parseKey(pair.publicKeySsh);
    if (parsed instanceof Error) throw parsed;
    const sshKey = Array.isArray(parsed) ? parsed[0] : parsed;
    expect(sshKey.type).toBe('ssh-rsa');
    expect(verify('sha256', data, createPublicKey(sshKey.getPublicPEM()), signature)).toBe(true);
    expect(sshKey.getPublicPEM().trim()).toBe(
      String(createPublicKey(pair.privateKeyPem).export({ type: 'spki', format: 'pem' })).trim(),
    );
  });

  it('is fresh every time', () => {
    expect(generateJobKeyPair().privateKeyPem).not.toBe(pair.privateKeyPem);
  });

  it('computes modular inverses', () => {
    expect(modInverse(3n, 11n)).toBe(4n);
    expect((modInverse(65537n, 3120n * 7n + 1n) * 65537n) % (3120n * 7n + 1n)).toBe(1n);
    expect(() => modInverse(6n, 9n)).toThrow('not invertible');
  });
});
