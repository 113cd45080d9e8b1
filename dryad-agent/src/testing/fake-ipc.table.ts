import type { IpcObject, IpcTable } from '../access/job-ipc.sweeper';

/** System V IPC objects by uid, which a recorded `ipcrm` does not remove unless told. */
export class FakeIpcTable implements IpcTable {
  constructor(private readonly objects: Record<number, IpcObject[]> = {}) {}

  async objectsOf(uid: number): Promise<IpcObject[]> {
    return [...(this.objects[uid] ?? [])];
  }

  remove(uid: number): void {
    delete this.objects[uid];
  }
}
