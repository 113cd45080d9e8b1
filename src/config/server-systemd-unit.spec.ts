import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from './load-config';

/**
 * deploy/leshy.service and its environment file template, checked against what the server
 * reads: a unit that names a variable the server ignores, or a data dir it cannot write, would
 * start and then misbehave. (`systemd-analyze verify deploy/leshy.service` checks the syntax.)
 */
describe('deploy/leshy.service', () => {
  const deploy = join(__dirname, '..', '..', 'deploy');
  const unit = readFileSync(join(deploy, 'leshy.service'), 'utf8');
  const envExample = readFileSync(join(deploy, 'leshy.env.example'), 'utf8');
  const values = (key: string) =>
    unit
      .split('\n')
      .filter((line) => line.startsWith(`${key}=`))
      .map((line) => line.slice(key.length + 1));
  const one = (key: string) => {
    const found = values(key);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const environment = Object.fromEntries(
    values('Environment').map((assignment) => assignment.split(/=(.*)/s, 2)),
  );
  const variablesIn = (text: string) =>
    [...text.matchAll(/\b(LESHY_[A-Z0-9_]+)=/g)].map((m) => m[1]);

  it('runs the built server as its own user, with the environment file', () => {
    const packageJson = JSON.parse(readFileSync(join(deploy, '..', 'package.json'), 'utf8'));
    expect(one('ExecStart')).toBe(
      `/usr/bin/node /opt/leshy/server/${(packageJson.scripts.start as string).replace(/^node /, '')}`,
    );
    expect(one('User')).toBe('leshy');
    expect(readFileSync(join(deploy, 'leshy.sysusers'), 'utf8')).toMatch(
      /^u leshy - .* \/var\/lib\/leshy /m,
    );
    expect(one('EnvironmentFile')).toBe('/etc/leshy/leshy.env');
  });

  it('keeps the data dir in the state directory, the one place it may write', () => {
    expect(environment.LESHY_DATA_DIR).toBe(`/var/lib/${one('StateDirectory')}`);
    expect(one('ProtectSystem')).toBe('strict');
    expect(values('ReadWritePaths')).toEqual([]);
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    // V8 needs writable and executable memory: this option would kill the server at start.
    expect(values('MemoryDenyWriteExecute')).toEqual([]);
  });

  it('restarts on failure, but not on a configuration error (exit status 2)', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('2');
    const main = readFileSync(join(__dirname, '..', 'main.ts'), 'utf8');
    expect(main).toMatch(/ConfigError[\s\S]*process\.exit\(2\)/);
  });

  it('names only variables the server reads', () => {
    const known = Object.keys(CONFIG_DEFAULTS);
    for (const name of [...variablesIn(unit), ...variablesIn(envExample)])
      expect(known).toContain(name);
    expect(variablesIn(envExample)).toContain('LESHY_AGENT_TOKEN');
  });
});
