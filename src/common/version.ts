import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { leshyPackageRoot } from './package-root';

/** The server's version, from the root package.json (found from src/ or from dist/src/). */
function readVersion(): string {
  const root = leshyPackageRoot();
  if (!root) return '0.0.0';
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

export const LESHY_VERSION = readVersion();
