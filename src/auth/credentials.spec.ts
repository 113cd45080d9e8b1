import { readCredential } from './credentials';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('reading credentials', () => {
  it('reads Bearer tokens everywhere', () => {
    expect(readCredential('Bearer lsy_abc', { basic: false })).toEqual({
      kind: 'token',
      secret: 'lsy_abc',
    });
    expect(readCredential('bearer lsy_abc', { basic: true })).toEqual({
      kind: 'token',
      secret: 'lsy_abc',
    });
  });

  it('reads HTTP Basic with the token as password where allowed (API v1)', () => {
    expect(readCredential(basic('alice:lsy_abc'), { basic: true })).toEqual({
      kind: 'token',
      secret: 'lsy_abc',
    });
    // Only the first colon separates the user name: a token may contain colons.
    expect(readCredential(basic('alice:a:b'), { basic: true })).toEqual({
      kind: 'token',
      secret: 'a:b',
    });
    expect(readCredential(basic('alice:'), { basic: true }).kind).toBe('malformed');
    expect(readCredential(basic('lsy_abc'), { basic: true }).kind).toBe('malformed');
  });

  it('refuses Basic where only Bearer is allowed (API v2), and unknown schemes', () => {
    expect(readCredential(basic('alice:lsy_abc'), { basic: false })).toMatchObject({
      kind: 'malformed',
      why: expect.stringContaining('"Bearer <token>"') as string,
    });
    expect(readCredential('Token x', { basic: true }).kind).toBe('malformed');
    expect(readCredential('Bearer', { basic: true }).kind).toBe('malformed');
  });

  it('takes a missing or empty header for no credential', () => {
    expect(readCredential(undefined, { basic: true })).toEqual({ kind: 'none' });
    expect(readCredential('  ', { basic: true })).toEqual({ kind: 'none' });
  });
});
