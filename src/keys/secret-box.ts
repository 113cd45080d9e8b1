import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

/** The sealed value was sealed with another secret (or altered): its tag does not verify. */
export class WrongSecretError extends Error {
  constructor() {
    super('sealed with another server secret');
    this.name = 'WrongSecretError';
  }
}

/** Authenticated encryption (AES-256-GCM) of small secrets stored in the database. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'leshy', 'keys at rest', 32));
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open<T>(sealed: string): T {
    const [format, data] = sealed.split(':', 2);
    if (format !== FORMAT || !data) throw new Error('sealed value has an unknown format');
    const raw = Buffer.from(data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    } catch {
      // A wrong server secret fails here (authentication tag mismatch), never yields garbage.
      throw new WrongSecretError();
    }
    return JSON.parse(plain.toString('utf8')) as T;
  }
}
