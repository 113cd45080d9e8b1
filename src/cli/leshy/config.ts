import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, ExitCode } from './exit-codes';

/** What `leshy login` saves. */
export interface SavedConfig {
  server?: string;
  token?: string;
}

/** The server and token a command uses, and where each came from (for `whoami` and errors). */
export interface Settings {
  server: string | null;
  token: string | null;
  serverFrom: 'LESHY_SERVER' | 'config' | null;
  tokenFrom: 'LESHY_TOKEN' | 'config' | null;
  configFile: string;
}

type Env = Record<string, string | undefined>;

/** `$XDG_CONFIG_HOME/leshy` or `~/.config/leshy`: the config file and known_hosts live here. */
export function configDir(env: Env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'leshy');
}

export function configFile(env: Env): string {
  return path.join(configDir(env), 'config.json');
}

export function readSavedConfig(file: string): SavedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, ExitCode.Failed);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    const { server, token } = parsed as Record<string, unknown>;
    return {
      server: typeof server === 'string' ? server : undefined,
      token: typeof token === 'string' ? token : undefined,
    };
  } catch (error) {
    throw new CliError(
      `${file} is not valid JSON (${(error as Error).message})`,
      ExitCode.Failed,
      'run "leshy login --server URL --token TOKEN" to write it again',
    );
  }
}

/**
 * Writes the config with mode 0600 (it holds a token), creating the directory 0700. The mode
 * is set again after writing: an existing file keeps its old mode on writeFileSync.
 */
export function writeSavedConfig(file: string, config: SavedConfig): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** LESHY_SERVER and LESHY_TOKEN win over the file (CI sets them). */
export function loadSettings(env: Env): Settings {
  const file = configFile(env);
  const saved = readSavedConfig(file);
  const envServer = env.LESHY_SERVER?.trim();
  const envToken = env.LESHY_TOKEN?.trim();
  return {
    server: envServer ? normalizeServerUrl(envServer) : (saved.server ?? null),
    token: envToken || saved.token || null,
    serverFrom: envServer ? 'LESHY_SERVER' : saved.server ? 'config' : null,
    tokenFrom: envToken ? 'LESHY_TOKEN' : saved.token ? 'config' : null,
    configFile: file,
  };
}

/** `leshy.lab:8487` → `http://leshy.lab:8487`; no trailing slash. Refuses what is no URL. */
export function normalizeServerUrl(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(
      `"${text}" is not a server URL`,
      ExitCode.Usage,
      'e.g. --server http://leshy.lab:8487',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`"${text}": the server URL must be http:// or https://`, ExitCode.Usage);
  }
  return url.toString().replace(/\/+$/, '');
}
