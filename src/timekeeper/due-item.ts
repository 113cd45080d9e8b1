/**
 * Something that has to happen at a moment: a request becomes ready, times out, a job nears
 * its timeout (job.expiring), or a job ends (its timeout, or its idle deadline: no tester
 * activity).
 */
export type DueKind = 'valid-after' | 'deadline' | 'job-expiring' | 'job-timeout' | 'job-idle';

export interface DueItem {
  at: number;
  kind: DueKind;
  /** Request id (jobs are keyed by their request). */
  id: number;
}

export function dueBefore(a: DueItem, b: DueItem): boolean {
  return a.at < b.at;
}
