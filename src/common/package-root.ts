import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The directory of Leshy's root package.json, found by walking up from this file (which runs
 * from src/ under ts-node and Jest, and from dist/src/ when built); null if there is none.
 */
export function leshyPackageRoot(): string | null {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string };
    if (pkg.name === 'leshy') return dir;
  }
  return null;
}
