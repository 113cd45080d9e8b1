import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../../test/support/temp-dir';
import { configDir, loadSettings, normalizeServerUrl, writeSavedConfig } from './config';
import { CliError, ExitCode } from './exit-codes';

describe('leshy config', () => {
  const dir = tempDir('leshy-config-');
  afterAll(() => dir.remove());

  it('lives in $XDG_CONFIG_HOME/leshy, else ~/.config/leshy', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/leshy');
    expect(configDir({ HOME: '/h' })).toBe('/h/.config/leshy');
    expect(configDir({ XDG_CONFIG_HOME: ' ', HOME: '/h' })).toBe('/h/.config/leshy');
  });

  it('is written 0600 in a 0700 directory, also over an existing file with a looser mode', () => {
    const env = { XDG_CONFIG_HOME: path.join(dir.path, 'xdg') };
    const file = path.join(configDir(env), 'config.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{}', { mode: 0o644 });
    writeSavedConfig(file, { server: 'http://s:1', token: 'lsy_x' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      server: 'http://s:1',
      token: 'lsy_x',
    });
    const settings = loadSettings(env);
    expect(settings).toMatchObject({
      server: 'http://s:1',
      token: 'lsy_x',
      serverFrom: 'config',
      tokenFrom: 'config',
    });
  });

  it('takes LESHY_SERVER and LESHY_TOKEN over the file', () => {
    const env = {
      XDG_CONFIG_HOME: path.join(dir.path, 'xdg'),
      LESHY_SERVER: 'ci.lab:8487/',
      LESHY_TOKEN: 'lsy_ci',
    };
    expect(loadSettings(env)).toMatchObject({
      server: 'http://ci.lab:8487',
      token: 'lsy_ci',
      serverFrom: 'LESHY_SERVER',
      tokenFrom: 'LESHY_TOKEN',
    });
  });

  it('has nothing when there is no file and no variable', () => {
    expect(loadSettings({ XDG_CONFIG_HOME: path.join(dir.path, 'none') })).toMatchObject({
      server: null,
      token: null,
    });
  });

  it('says which file is broken and how to mend it', () => {
    const xdg = path.join(dir.path, 'broken');
    mkdirSync(path.join(xdg, 'leshy'), { recursive: true });
    writeFileSync(path.join(xdg, 'leshy', 'config.json'), '{not json');
    expect(() => loadSettings({ XDG_CONFIG_HOME: xdg })).toThrow(/config\.json is not valid JSON/);
  });

  it('accepts a bare host:port and refuses what is not an http(s) URL', () => {
    expect(normalizeServerUrl('https://leshy.lab/')).toBe('https://leshy.lab');
    expect(normalizeServerUrl('127.0.0.1:8487')).toBe('http://127.0.0.1:8487');
    const refused = (() => {
      try {
        normalizeServerUrl('ftp://x');
      } catch (error) {
        return error as CliError;
      }
    })();
    expect(refused?.exitCode).toBe(ExitCode.Usage);
  });
});
