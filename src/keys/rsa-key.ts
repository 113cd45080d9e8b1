import { generatePrimeSync } from 'node:crypto';

/**
 * RSA-2048 job keys, built from two primes of OpenSSL's generatePrime.
 *
 * Why not crypto.generateKeyPair('rsa')? OpenSSL's RSA key generation takes ~270 ms per key
 * here, while a 1024-bit prime takes ~50 ms: assembling the key ourselves makes a key ~2.5×
 * cheaper, which is what bounds job turnover. generatePrime sets the top two bits of each
 * prime, so n always has exactly 2048 bits. The result is a standard PKCS#1 key, checked by
 * OpenSSL when it is parsed (crypto.createPrivateKey) in the tests.
 */
export interface JobKeyPair {
  /** PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), what upstream Boruta clients parse. */
  privateKeyPem: string;
  /** OpenSSH public key line (`ssh-rsa AAAA…`), what the agent installs. */
  publicKeySsh: string;
}

const PUBLIC_EXPONENT = 65537n;
const PRIME_BITS = 1024;

export function generateJobKeyPair(): JobKeyPair {
  for (;;) {
    const p = generatePrimeSync(PRIME_BITS, { bigint: true });
    const q = generatePrimeSync(PRIME_BITS, { bigint: true });
    // e must be invertible modulo p-1 and q-1; p = q would make n a square.
    if (p === q || (p - 1n) % PUBLIC_EXPONENT === 0n || (q - 1n) % PUBLIC_EXPONENT === 0n) continue;
    return jobKeyPairFromPrimes(p > q ? p : q, p > q ? q : p);
  }
}

export function jobKeyPairFromPrimes(p: bigint, q: bigint): JobKeyPair {
  const n = p * q;
  const lambda = lcm(p - 1n, q - 1n);
  const d = modInverse(PUBLIC_EXPONENT, lambda);
  const der = derSequence([
    derInteger(0n),
    derInteger(n),
    derInteger(PUBLIC_EXPONENT),
    derInteger(d),
    derInteger(p),
    derInteger(q),
    derInteger(d % (p - 1n)),
    derInteger(d % (q - 1n)),
    derInteger(modInverse(q, p)),
  ]);
  return {
    privateKeyPem: toPem('RSA PRIVATE KEY', der),
    publicKeySsh: `ssh-rsa ${sshRsaPublicBlob(PUBLIC_EXPONENT, n).toString('base64')}`,
  };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

/** Inverse of a modulo m by the extended Euclidean algorithm. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

/** Big-endian two's-complement bytes of a non-negative integer, with a 0 byte when the top bit is set. */
function unsignedBytes(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(value: bigint): Buffer {
  const body = unsignedBytes(value);
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

function derSequence(parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** SSH wire format of an RSA public key (RFC 4253 §6.6): string "ssh-rsa", mpint e, mpint n. */
function sshRsaPublicBlob(e: bigint, n: bigint): Buffer {
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  return Buffer.concat([
    field(Buffer.from('ssh-rsa')),
    field(unsignedBytes(e)),
    field(unsignedBytes(n)),
  ]);
}
