import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile } from './config.loader';
import { writeConfigTemplate } from './config.template';

describe('config', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dryad-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edited = (text: string) =>
    text
      .replace('url = "http://CHANGE-ME:8487"', 'url = "http://leshy.lab:8487/"')
      .replace('token = "CHANGE-ME"', 'token = "s3cret"');

  it('writes a template with a fresh UUID, private, and refuses to overwrite it', () => {
    const path = join(dir, 'etc', 'dryad.toml');
    const uuid = writeConfigTemplate(path);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(path, 'utf8')).toContain(`uuid = "${uuid}"`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => writeConfigTemplate(path)).toThrow(/EEXIST/);
    expect(writeConfigTemplate(join(dir, 'other.toml'))).not.toBe(uuid);
  });

  it('rejects the unedited template, naming the placeholders', () => {
    const path = join(dir, 'dryad.toml');
    writeConfigTemplate(path);
    const error = (() => {
      try {
        loadConfigFile(path);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems).toEqual([
      expect.stringMatching(/^server\.url: still the placeholder/),
      expect.stringMatching(/^server\.token: still the placeholder/),
    ]);
  });

  it('accepts the edited template with the documented defaults', () => {
    const path = join(dir, 'dryad.toml');
    const uuid = writeConfigTemplate(path);
    writeFileSync(path, edited(readFileSync(path, 'utf8')));
    expect(loadConfigFile(path)).toEqual({
      uuid,
      accessMode: 'embedded',
      dataDir: '/var/lib/leshy/dryad',
      logLevel: 'info',
      server: { url: 'http://leshy.lab:8487', token: 's3cret', heartbeatIntervalMs: 30000 },
      caps: {},
      ssh: {
        listen: { host: '0.0.0.0', port: 2222 },
        controlAddr: null,
        testerAddr: null,
        hostKeyPath: '/var/lib/leshy/dryad/ssh_host_ed25519_key',
        jobUser: 'boruta-user',
        // None: on Debian dialout opens the STM's line as well as the console.
        jobGroups: [],
      },
      stm: {
        path: '/dev/ttyS2',
        baud: 115200,
        timeoutMs: 2000,
        probeIntervalMs: 30000,
        healthcheckTickMs: 1000,
      },
      console: { path: '/dev/ttyS1', baud: 115200, checkIntervalMs: 2000, jobAccess: false },
      sdcard: { device: '/dev/sda' },
    });
  });

  it.each([
    ['[stm]\nbaud = 12345', /^stm\.baud: expected a standard baud rate \(.*115200.*\); got 12345$/],
    ['access_mode = "root"', /^access_mode: expected one of "embedded", "system"; got "root"$/],
    [
      '[server]\ntokne = "x"',
      /^server\.tokne: unknown key; accepted in \[server\]: url, token, heartbeat_interval_ms$/,
    ],
    ['[caps]\ncores = 4', /^caps\.cores: expected a string; quote the value \("4"\)$/],
    ['[caps]\nUUID = "x"', /^caps\.UUID: set by the agent/],
    ['[ssh]\nlisten = "2222"', /^ssh\.listen: expected host:port/],
    [
      '[console]\njob_access = "yes"',
      /^console\.job_access: expected true or false \(no quotes\)$/,
    ],
    ['[ssh]\njob_user = "dryad"', /^ssh\.job_user: "dryad" is the server's control user/],
    [
      '[ssh]\njob_groups = "dialout"',
      /^ssh\.job_groups: expected a list of strings, e.g. \["dialout"\]$/,
    ],
    [
      '[ssh]\njob_groups = ["dialout", "Dial Out"]',
      /^ssh\.job_groups: "Dial Out" is not a Unix group name/,
    ],
    [
      '[ssh]\njob_groups = ["dialout", "sudo"]',
      /^ssh\.job_groups: "sudo" would give the tester's shell root/,
    ],
    [
      '[ssh]\njob_groups = ["disk"]',
      /^ssh\.job_groups: "disk" would give the tester's shell root or raw disks/,
    ],
    ['[ssh]\njob_groups = ["dialout", "dialout"]', /^ssh\.job_groups: "dialout" is listed twice$/],
    [
      '[stm]\ntimeout_ms = 1.5',
      /^stm\.timeout_ms: expected a whole number from 50 to 60000; got 1.5$/,
    ],
    ['uuid = "board-7"', /^uuid: expected a UUID/],
  ])('names the bad key: %s', (snippet, message) => {
    const base = `uuid = "3f0c8a1e-5b7d-4c2a-9e1f-0a1b2c3d4e5f"\n[server]\nurl = "http://x:1"\ntoken = "t"\n`;
    // Put the snippet's table after the base ones (TOML forbids reopening [server] twice).
    let text = base + snippet + '\n';
    if (snippet.startsWith('uuid')) text = snippet + '\n' + base.split('\n').slice(1).join('\n');
    if (snippet.startsWith('access_mode')) text = snippet + '\n' + base;
    if (snippet.startsWith('[server]'))
      text = text.replace(snippet, '').replace('token = "t"', 'token = "t"\ntokne = "x"');
    const path = join(dir, 'bad.toml');
    writeFileSync(path, text);
    expect(() => loadConfigFile(path)).toThrow(ConfigError);
    try {
      loadConfigFile(path);
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([expect.stringMatching(message)]);
    }
  });

  it('takes an empty job_groups as no supplementary groups', () => {
    const path = join(dir, 'dryad.toml');
    writeFileSync(
      path,
      'uuid = "3f0c8a1e-5b7d-4c2a-9e1f-0a1b2c3d4e5f"\n[server]\nurl = "https://x"\ntoken = "t"\n[ssh]\njob_groups = []\n',
    );
    expect(loadConfigFile(path).ssh.jobGroups).toEqual([]);
  });

  it('reports TOML syntax errors with the line', () => {
    const path = join(dir, 'broken.toml');
    writeFileSync(path, 'uuid = "x"\n[server\n');
    expect(() => loadConfigFile(path)).toThrow(/not valid TOML at line 2/);
  });

  it('resolves relative paths against the config folder', () => {
    const path = join(dir, 'dryad.toml');
    writeFileSync(
      path,
      'uuid = "3f0c8a1e-5b7d-4c2a-9e1f-0a1b2c3d4e5f"\ndata_dir = "state"\n[server]\nurl = "https://x"\ntoken = "t"\n[stm]\npath = "tty/stm"\n',
    );
    const config = loadConfigFile(path);
    expect(config.dataDir).toBe(join(dir, 'state'));
    expect(config.stm.path).toBe(join(dir, 'tty/stm'));
    expect(config.ssh.hostKeyPath).toBe(join(dir, 'state', 'ssh_host_ed25519_key'));
  });
});
