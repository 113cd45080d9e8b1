import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The agent's version from its package.json (one level above src/ and dist/). */
export function agentVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}
