import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCommand } from './init.command';

const REPO_ROOT = join(__dirname, '..', '..', '..');

/** What `dryad-agent init` leaves on disk: one private file, never a secret git would track. */
describe('dryad-agent init', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dryad-init-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const init = (config: string) => {
    const lines: string[] = [];
    expect(initCommand(config, (line) => lines.push(line))).toBe(0);
    return lines;
  };

  it('writes the config alone, readable by its owner only, and no other file', () => {
    const lines = init(join(dir, 'dryad.toml'));
    expect(readdirSync(dir)).toEqual(['dryad.toml']);
    expect(statSync(join(dir, 'dryad.toml')).mode & 0o777).toBe(0o600);
    expect(lines.join('\n')).not.toMatch(/git/);
  });

  it('warns when the config would be tracked by the git work tree it is written into', () => {
    execFileSync('git', ['init', '-q', dir]);
    const lines = init(join(dir, 'dryad.toml'));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /is inside a git work tree and not ignored by it; it will hold the agent token/,
      ),
    );
  });

  it("is ignored by this repository's .gitignore when run from the root, as the README suggests", () => {
    // --no-index: the answer of the ignore rules, whether or not such a file exists or is tracked.
    const ignored = (path: string) => {
      try {
        execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: REPO_ROOT });
        return true;
      } catch {
        return false;
      }
    };
    expect(ignored('dryad.toml')).toBe(true);
    expect(ignored('dryad-lab2.toml')).toBe(true);
    // A relative data_dir under data/ (host key, workspace) is ignored too.
    expect(ignored('data/dryad/ssh_host_ed25519_key')).toBe(true);
    // Not too broad: the agent's sources stay tracked.
    expect(ignored('dryad-agent/src/cli/init.command.ts')).toBe(false);
  });
});
