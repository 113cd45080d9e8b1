import { normalizeCapsQuery } from '../../common/caps-query';
import { capsForV1 } from './v1-caps';

describe('capsForV1: what upstream clients (map[string]string) see', () => {
  it('shows exact caps as they are', () => {
    expect(capsForV1({ board: 'rpi4', arch: 'arm64' })).toEqual({ board: 'rpi4', arch: 'arm64' });
    expect(capsForV1({})).toEqual({});
  });

  it('shows each rule as the JSON text of its canonical form', () => {
    const caps = normalizeCapsQuery({
      arch: ['armv7', 'arm64'],
      ram_gb: { max: 8, min: 2 },
      rev: { not: ['b', 'a'] },
      hdmi: { not: 'no' },
      board: 'rpi4',
    });
    expect(capsForV1(caps)).toEqual({
      arch: '["arm64","armv7"]',
      board: 'rpi4',
      hdmi: '{"not":"no"}',
      ram_gb: '{"min":2,"max":8}',
      rev: '{"not":["a","b"]}',
    });
  });
});
