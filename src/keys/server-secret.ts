import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';

/**
 * The server secret that seals keys at rest: LESHY_SECRET when set (required when several
 * instances share a PostgreSQL database), otherwise generated once into the data dir with
 * owner-only permissions, so the database alone (a backup, a dump) does not reveal job keys.
 */
export function loadServerSecret(config: AppConfig): string {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}
