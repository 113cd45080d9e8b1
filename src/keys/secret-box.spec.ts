import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('opens what it sealed, and nothing sealed with another secret', () => {
    const box = new SecretBox('a-server-secret-of-16+');
    const sealed = box.seal({ private: 'PEM', n: 1 });
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('PEM');
    expect(box.open(sealed)).toEqual({ private: 'PEM', n: 1 });
    expect(() => new SecretBox('another-secret-value').open(sealed)).toThrow();
  });

  it('refuses tampered data', () => {
    const box = new SecretBox('a-server-secret-of-16+');
    const sealed = box.seal('x');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => box.open(tampered)).toThrow();
  });
});
