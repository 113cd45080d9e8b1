import {
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../log/logger';
import { SafeAuthorizedKeysWriter } from './authorized-keys.file';
import { ChildProcessCommandRunner } from './command.runner';
import { SystemUsersManager } from './system-users.manager';

/**
 * `authorize` on a real home directory the tester has tampered with. No useradd: the job user
 * is an account that exists already (`nobody` when the suite runs as root, so that root
 * writes for an unprivileged owner as on a board; otherwise the current user), its home a
 * temporary folder. The real `id` runs; the files are real.
 */
describe('SystemUsersManager.writeKeys against links planted by the tester', () => {
  const root = process.getuid?.() === 0;
  const tester = root ? 'nobody' : userInfo().username;
  const keys = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA'];
  let base: string;
  let home: string;
  let ssh: string;
  let victim: string;
  let owner: { uid: number; gid: number };
  const manager = () =>
    new SystemUsersManager(
      new ChildProcessCommandRunner(),
      new SafeAuthorizedKeysWriter(),
      Logger.silent(),
      { homeBase: base },
    );

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'system-keys-'));
    home = join(base, tester);
    ssh = join(home, '.ssh');
    mkdirSync(ssh, { recursive: true, mode: 0o700 });
    const me = userInfo();
    owner = root ? { uid: 65534, gid: 65534 } : { uid: me.uid, gid: me.gid };
    // The home and .ssh belong to the tester, as useradd and `prepare` leave them.
    for (const dir of [home, ssh]) chownSync(dir, owner.uid, owner.gid);
    // A file of the agent's (root's on a board) outside the home: what the attack is after.
    victim = join(base, 'shadow');
    writeFileSync(victim, 'root:secret\n', { mode: 0o600 });
  });

  afterEach(() => rmSync(base, { recursive: true, force: true }));

  function expectVictimUntouched(): void {
    expect(readFileSync(victim, 'utf8')).toBe('root:secret\n');
    expect(statSync(victim)).toMatchObject({ uid: userInfo().uid, mode: 0o100600 });
  }

  function expectFreshKeysFile(): void {
    const file = join(ssh, 'authorized_keys');
    expect(lstatSync(file).isFile()).toBe(true);
    expect(lstatSync(file)).toMatchObject({
      uid: owner.uid,
      gid: owner.gid,
      mode: 0o100600,
      nlink: 1,
    });
    expect(readFileSync(file, 'utf8')).toBe(keys[0] + '\n');
  }

  it('replaces an authorized_keys symlink instead of writing (and chowning) its target', async () => {
    symlinkSync(victim, join(ssh, 'authorized_keys'));
    await manager().writeKeys(tester, keys);
    expectVictimUntouched();
    expectFreshKeysFile();
  });

  it('replaces an authorized_keys hard link instead of writing through it', async () => {
    linkSync(victim, join(ssh, 'authorized_keys'));
    await manager().writeKeys(tester, keys);
    expectVictimUntouched();
    expectFreshKeysFile();
  });

  it('refuses a .ssh that is a symlink to another directory, and writes nothing there', async () => {
    const rootSsh = join(base, 'root-ssh');
    mkdirSync(rootSsh);
    rmSync(ssh, { recursive: true });
    symlinkSync(rootSsh, ssh);
    await expect(manager().writeKeys(tester, keys)).rejects.toThrow(
      `refusing to write SSH keys: .ssh in ${home} is a symlink or not a directory`,
    );
    expect(() => lstatSync(join(rootSsh, 'authorized_keys'))).toThrow(/ENOENT/);
  });

  it('makes .ssh again, for the tester, when the tester has removed it', async () => {
    rmSync(ssh, { recursive: true });
    await manager().writeKeys(tester, keys);
    expect(lstatSync(ssh)).toMatchObject({ uid: owner.uid, gid: owner.gid, mode: 0o40700 });
    expectFreshKeysFile();
  });

  it('rewrites an existing list and leaves no temporary file behind', async () => {
    writeFileSync(join(ssh, 'authorized_keys'), 'ssh-ed25519 OLD\n');
    await manager().writeKeys(tester, keys);
    expectFreshKeysFile();
    expect(readFileSync(join(ssh, 'authorized_keys'), 'utf8')).not.toContain('OLD');
    expect(readdirSync(ssh)).toEqual(['authorized_keys']);
  });
});
