import { healthEntryOf } from './worker-health.service';

describe('health entries from worker state changes', () => {
  const at = new Date('2026-12-02T10:00:00.000Z');
  const change = (from: string, to: string) => ({
    at,
    before: { state: from },
    after: { state: to },
    reason: `${from} to ${to}`,
  });

  it.each([
    ['IDLE', 'FAILED', false],
    ['RUNNING', 'FAILED', false],
    ['FAILED', 'PREPARE', true],
  ])('%s → %s is a health entry, ok %s', (from, to, ok) => {
    expect(healthEntryOf(change(from, to))).toEqual({ at, ok, reason: `${from} to ${to}` });
  });

  it.each([
    ['FAILED', 'BUSY'],
    ['PREPARE', 'IDLE'],
    ['IDLE', 'RUNNING'],
  ])('%s → %s is neither failure nor recovery', (from, to) => {
    expect(healthEntryOf(change(from, to))).toBeNull();
  });
});
