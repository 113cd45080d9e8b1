import { utils } from 'ssh2';
import { InvalidInputError } from '../common/domain-error';

const MIN_RSA_BITS = 2048;
const ACCEPTED = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa)$/;

/** Bits of the modulus of an `ssh-rsa` public key blob (string type, mpint e, mpint n). */
function rsaModulusBits(blob: Buffer): number {
  let at = 0;
  const field = () => {
    const length = blob.readUInt32BE(at);
    const value = blob.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return value;
  };
  field(); // "ssh-rsa"
  field(); // e
  let n = field();
  while (n.length > 0 && n[0] === 0) n = n.subarray(1); // mpint sign byte
  return n.length === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0]));
}

/**
 * A tester's own key as API v2 takes it (`publicKey`): one OpenSSH public key line of type
 * ed25519, ECDSA or RSA of at least 2048 bits. Returns it as `type base64 [comment]`, trimmed.
 */
export function parseTesterPublicKey(text: string, field = 'publicKey'): string {
  const line = text.trim();
  const refuse = (why: string) =>
    new InvalidInputError(
      `${field} ${why}: give one OpenSSH public key line, e.g. the contents of ~/.ssh/id_ed25519.pub`,
    );
  if (line === '' || /[\r\n]/.test(line)) throw refuse('must be exactly one line');
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error || Array.isArray(parsed))
    throw refuse('is not an OpenSSH public key');
  if (parsed.isPrivateKey()) throw refuse('is a private key; send the public key (.pub) only');
  if (!ACCEPTED.test(parsed.type))
    throw refuse(`is of type ${parsed.type}; ed25519, ecdsa or rsa keys are accepted`);
  if (parsed.type === 'ssh-rsa') {
    const bits = rsaModulusBits(parsed.getPublicSSH());
    if (bits < MIN_RSA_BITS)
      throw refuse(`is an RSA key of ${bits} bits; at least ${MIN_RSA_BITS}`);
  }
  return line;
}
