import type { ProcessTable } from '../access/process.table';

/** No process runs as any job uid (the fake runner's kill has nothing to do). */
export class FakeProcessTable implements ProcessTable {
  async pidsOf(): Promise<number[]> {
    return [];
  }
}
