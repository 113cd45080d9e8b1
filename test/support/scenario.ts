import { ADMIN, AGENT, TESTER } from './actors';
import { DomainError } from '../../src/common/domain-error';
import { requestInput } from '../factories/request.factory';
import { workerRegistration } from '../factories/worker.factory';
import type { TestApp } from './test-app';

/** A small deterministic random generator, so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Hammers the services of one or more app instances (sharing one database) with parallel
 * creates, closes, admin state changes, failures and re-registrations against few workers.
 * Only typed domain errors are acceptable outcomes of a refused call; anything else is returned.
 */
export async function hammer(
  apps: TestApp[],
  options: { seed: number; rounds: number; perRound: number; workers: number },
) {
  const random = seededRandom(options.seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const unexpected: unknown[] = [];
  const registrations = Array.from({ length: options.workers }, () =>
    workerRegistration({ caps: { board: 'hammer' } }),
  );
  for (const registration of registrations) {
    await apps[0].workers.register(registration, AGENT);
    await apps[0].workers.setState(registration.uuid, 'IDLE', ADMIN);
  }
  const requestIds: number[] = [];
  const attempt = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof DomainError)) unexpected.push(error);
    }
  };
  for (let round = 0; round < options.rounds; round++) {
    const calls: Array<Promise<void>> = [];
    // Closing running requests is what frees workers; aim most closes at them.
    const running = (
      await apps[0].requests.list(
        { states: ['IN PROGRESS'] },
        { item: 'id', order: 'asc' },
        { direction: 'forward', limit: 100 },
        ADMIN,
      )
    ).items.map((d) => d.request.id);
    for (let i = 0; i < options.perRound; i++) {
      const app = pick(apps);
      const dice = random();
      const worker = pick(registrations);
      if (dice < 0.4) {
        calls.push(
          attempt(async () => {
            const created = await app.requests.create(
              requestInput({ caps: { board: 'hammer' }, priority: 1 + Math.floor(random() * 16) }),
              TESTER,
            );
            requestIds.push(created.id);
          }),
        );
      } else if (dice < 0.75 && requestIds.length > 0) {
        const id = running.length > 0 && random() < 0.7 ? pick(running) : pick(requestIds);
        calls.push(attempt(() => app.requests.close(id, TESTER)));
      } else if (dice < 0.8) {
        calls.push(attempt(() => app.workers.setState(worker.uuid, 'MAINTENANCE', ADMIN)));
      } else if (dice < 0.92) {
        calls.push(attempt(() => app.workers.setState(worker.uuid, 'IDLE', ADMIN)));
      } else if (dice < 0.95) {
        calls.push(attempt(() => app.workers.reportFailure(worker.uuid, 'hammered', AGENT)));
      } else {
        calls.push(attempt(() => app.workers.register(worker, AGENT)));
      }
    }
    await Promise.all(calls);
  }
  // Bring every worker back and let the queue drain as far as it can.
  for (const registration of registrations) {
    await attempt(() => apps[0].workers.register(registration, AGENT));
    await attempt(() => apps[0].workers.setState(registration.uuid, 'MAINTENANCE', ADMIN));
  }
  for (const app of apps) await app.settle();
  for (const registration of registrations) {
    await attempt(() => apps[0].workers.setState(registration.uuid, 'IDLE', ADMIN));
  }
  for (let i = 0; i < 3; i++) for (const app of apps) await app.settle();
  return { unexpected, requests: requestIds.length };
}
