import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceLender } from './device.lease';
import { JobUidStore } from './job-uid.store';

describe('DeviceLender', () => {
  const root = process.getuid?.() === 0;
  const uid = root ? 20_778 : process.getuid!();
  let dir: string;
  let device: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lease-'));
    device = join(dir, 'ttyS1');
    writeFileSync(device, '');
    chmodSync(device, 0o660);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the job uid the owner for the job and puts everything back, after a restart too', async () => {
    const before = statSync(device);
    const path = join(dir, 'state.json');
    await new DeviceLender(new JobUidStore(path)).lend(device, uid);
    expect(statSync(device)).toMatchObject({ uid, gid: before.gid });
    chmodSync(device, 0o666); // the owner may do that during the job
    await new DeviceLender(new JobUidStore(path)).giveBack();
    expect(statSync(device)).toMatchObject({ uid: before.uid, gid: before.gid, mode: before.mode });
    expect(new JobUidStore(path).leases).toEqual([]);
  });
});
