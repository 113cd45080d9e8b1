import { DomainEventBus } from '../events/domain-event-bus';
import { TokenEntity } from './token.entity';
import { TOKEN_LOOKUP_TTL_MS, TokenLookupCache } from './token-lookup-cache';
import { UserEntity } from './user.entity';

const lookup = (kind: 'user' | 'agent') => ({
  token: Object.assign(new TokenEntity(), { id: 1, kind }),
  user: Object.assign(new UserEntity(), { id: 1, name: 'alice' }),
});

describe('TokenLookupCache', () => {
  let bus: DomainEventBus;
  let cache: TokenLookupCache;
  beforeEach(() => {
    bus = new DomainEventBus();
    cache = new TokenLookupCache(bus);
  });
  afterEach(() => jest.useRealTimers());

  it('keeps a user token for the TTL, then reads it again', () => {
    jest.useFakeTimers({ now: 0, doNotFake: [] });
    const found = lookup('user');
    cache.set('hash:x', found, cache.begin());
    expect(cache.get('hash:x')).toBe(found);
    jest.advanceTimersByTime(TOKEN_LOOKUP_TTL_MS);
    expect(cache.get('hash:x')).toBeNull();
  });

  it('never keeps an agent token', () => {
    cache.set('hash:x', lookup('agent'), cache.begin());
    expect(cache.get('hash:x')).toBeNull();
  });

  it('forgets everything on a revocation, and keeps nothing read before it', () => {
    cache.set('hash:x', lookup('user'), cache.begin());
    const before = cache.begin();
    bus.publish([{ type: 'token.revoked' } as never]);
    expect(cache.get('hash:x')).toBeNull();
    cache.set('hash:y', lookup('user'), before);
    expect(cache.get('hash:y')).toBeNull();
  });
});
