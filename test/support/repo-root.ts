import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root, found from test/… or from dist/test/… alike. */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (
      existsSync(file) &&
      (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'leshy'
    )
      return dir;
  }
  throw new Error(`no leshy package.json above ${__dirname}`);
}
