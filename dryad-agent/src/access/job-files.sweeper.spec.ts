import {
  chownSync,
  existsSync,
  lchownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeMountTable } from '../testing/fake-mount.table';
import { ChildProcessCommandRunner } from './command.runner';
import { JobFilesSweeper } from './job-files.sweeper';

/**
 * The real find on a temporary folder standing for a file system. As root (CI, a board) the
 * job's files belong to an unused uid and root's files must stay; otherwise the job's are the
 * current user's own.
 */
describe('JobFilesSweeper', () => {
  const root = process.getuid?.() === 0;
  const uid = root ? 20_777 : process.getuid!();
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sweep-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("deletes every file and folder of the uid, and nobody else's, without following links", async () => {
    const own = (path: string) => chownSync(path, uid, uid);
    mkdirSync(join(dir, 'shared'), { mode: 0o1777 });
    writeFileSync(join(dir, 'shared', 'left-behind'), 'secret');
    own(join(dir, 'shared', 'left-behind'));
    mkdirSync(join(dir, 'shared', 'nest', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'shared', 'nest', 'deeper', 'f'), '');
    for (const p of ['nest', 'nest/deeper', 'nest/deeper/f']) own(join(dir, 'shared', p));
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'keep'), 'root data');
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'shared', 'link'));
    // lchown: the link itself is the job's; its target is not.
    lchownSync(join(dir, 'shared', 'link'), uid, uid);

    await new JobFilesSweeper(new ChildProcessCommandRunner(), new FakeMountTable([dir])).sweep(
      uid,
    );

    for (const gone of ['left-behind', 'nest', 'link'])
      expect(existsSync(join(dir, 'shared', gone))).toBe(false);
    expect(existsSync(join(dir, 'elsewhere', 'keep'))).toBe(true);
    if (root) expect(existsSync(join(dir, 'shared'))).toBe(true);
  });
});
