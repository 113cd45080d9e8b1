import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The server's version, from the root package.json (found from src/ or from dist/src/). */
function readVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'leshy' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

export const LESHY_VERSION = readVersion();
