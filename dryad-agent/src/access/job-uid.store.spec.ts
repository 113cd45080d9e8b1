import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_UID_RANGE, JobUidStore } from './job-uid.store';

describe('JobUidStore', () => {
  let dir: string;
  let path: string;
  const free = async () => true;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'uid-store-'));
    path = join(dir, 'state', 'system-users.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out uids that only go up, across restarts, and records each before use', async () => {
    const a = await new JobUidStore(path).allocate(free);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      nextUid: a + 1,
      uncleaned: [a],
      leases: [],
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const restarted = new JobUidStore(path);
    restarted.cleaned(a);
    expect(await restarted.allocate(free)).toBe(a + 1);
    expect(await new JobUidStore(path).allocate(free)).toBe(a + 2);
    expect(new JobUidStore(path).uncleaned).toEqual([a + 1, a + 2]);
  });

  it('skips taken uids and starts the range again only after its top', async () => {
    writeFileSync(
      join(dir, 'at-top.json'),
      JSON.stringify({ nextUid: JOB_UID_RANGE.last, uncleaned: [JOB_UID_RANGE.first], leases: [] }),
    );
    const store = new JobUidStore(join(dir, 'at-top.json'));
    expect(await store.allocate(free)).toBe(JOB_UID_RANGE.last);
    // The bottom one is not cleaned yet, and the next is taken on the host.
    expect(await store.allocate(async (uid) => uid !== JOB_UID_RANGE.first + 1)).toBe(
      JOB_UID_RANGE.first + 2,
    );
  });

  it('refuses a damaged state file instead of starting the count again', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"nextUid": 5, "uncleaned": []}');
    await expect(new JobUidStore(join(dir, 'bad.json')).allocate(free)).rejects.toThrow(
      /bad\.json is damaged/,
    );
  });
});
