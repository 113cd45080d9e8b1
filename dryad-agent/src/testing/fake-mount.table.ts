import type { MountTable } from '../access/writable-mounts';

/** A fixed list of writable mounts, so a recorded `find` names them. */
export class FakeMountTable implements MountTable {
  constructor(private readonly points: string[] = ['/', '/tmp']) {}

  async writableMountPoints(): Promise<string[]> {
    return [...this.points];
  }
}
