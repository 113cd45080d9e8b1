import type { WorkerInfo } from './api-types';
import { endedText, eventLine, workersTable } from './views';

const NOW = Date.parse('2026-12-02T10:00:00Z');

describe('views', () => {
  it('show workers as a table: the UUID cap left out, time left, the last failure', () => {
    const worker = (uuid: string, extra: Partial<WorkerInfo>): WorkerInfo => ({
      uuid,
      state: 'IDLE',
      caps: { UUID: uuid, board: 'rpi4' },
      groups: [],
      accessMode: 'embedded',
      registeredAt: '2026-12-01T00:00:00Z',
      updatedAt: '2026-12-01T00:00:00Z',
      job: null,
      maintenance: null,
      failReason: null,
      lastFailure: null,
      failuresLastDay: 0,
      ...extra,
    });
    const text = workersTable(
      [
        worker('w-1', {
          state: 'RUNNING',
          groups: ['lab-a'],
          job: { requestId: 42, owner: 'alice', startedAt: '…', timeoutAt: '2026-12-02T10:12:30Z' },
        }),
        worker('w-2', { lastFailure: { at: '2026-12-02T09:00:00Z', reason: 'dut does not boot' } }),
      ],
      NOW,
    );
    expect(text.split('\n')).toEqual([
      'UUID  STATE    CAPS        GROUPS  JOB  OWNER  LEFT     LAST FAILURE',
      'w-1   RUNNING  board=rpi4  lab-a   42   alice  12m 30s  -',
      'w-2   IDLE     board=rpi4  -       -    -      -        dut does not boot',
    ]);
  });

  it('say how a request ended in one line', () => {
    expect(
      endedText({
        how: 'job-timeout',
        by: 'system:timekeeper',
        at: '2026-12-02T10:00:00Z',
        reason: 'the job timed out',
      }),
    ).toBe('job-timeout by system:timekeeper at 2026-12-02T10:00:00Z: the job timed out');
    expect(endedText({ how: 'idle' })).toBe('idle');
  });

  it('write an event as one line for watch', () => {
    expect(
      eventLine('request.state-changed', {
        at: '2026-12-02T10:00:00.000Z',
        actor: 'system:matcher',
        requestId: 42,
        workerUuid: null,
        from: 'WAITING',
        to: 'IN PROGRESS',
        reason: 'matched with worker w-1',
      }),
    ).toBe(
      '2026-12-02T10:00:00.000Z  request.state-changed  request 42  WAITING → IN PROGRESS: matched with worker w-1  (system:matcher)',
    );
  });
});
