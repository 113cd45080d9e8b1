import { DomainEvent } from './domain-event';
import { decodeRemoteEvent, encodeEvent } from './event-codec';

describe('event codec (the outbox payload)', () => {
  const at = new Date('2026-12-01T10:00:00.123Z');

  it('brings dates back as Dates, at any depth, and marks the event remote', () => {
    const event = {
      type: 'job.ended',
      job: { requestId: 7, startedAt: at, endedAt: null, timeoutAt: new Date(at.getTime() + 5) },
      at,
      actor: 'user:t',
      reason: 'closed',
      before: { endedAt: null },
      after: { endedAt: at.toISOString(), outcome: 'DONE' },
    } as unknown as DomainEvent;

    const back = decodeRemoteEvent(encodeEvent(event));

    expect(back).toEqual({ ...event, remote: true });
    expect((back as { job: { timeoutAt: Date } }).job.timeoutAt).toBeInstanceOf(Date);
    expect(back.at.getTime()).toBe(at.getTime());
  });

  it('writes what JSON.stringify writes, with dates tagged: undefined fields left out, arrays kept', () => {
    const event = {
      type: 'worker.updated',
      at,
      actor: 'a',
      reason: undefined,
      before: { list: [at, 1, 'x', null], nested: { when: at, gone: undefined } },
      after: null,
    } as unknown as DomainEvent;
    const tagged = { $date: at.getTime() };
    expect(JSON.parse(encodeEvent(event))).toEqual({
      type: 'worker.updated',
      at: tagged,
      actor: 'a',
      before: { list: [tagged, 1, 'x', null], nested: { when: tagged } },
      after: null,
    });
  });

  it('leaves plain objects that merely look similar alone', () => {
    const event = {
      type: 'worker.updated',
      at,
      actor: 'a',
      reason: null,
      before: { caps: { $date: 'not a number' } },
      after: null,
    } as unknown as DomainEvent;
    expect(decodeRemoteEvent(encodeEvent(event)).before).toEqual({
      caps: { $date: 'not a number' },
    });
  });
});
