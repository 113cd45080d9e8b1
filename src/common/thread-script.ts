import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The compiled entry of a worker thread, `file` (a .js name) in the folder `dirname` of the
 * module that starts it: beside that module when the server runs from dist/, else the copy in
 * dist/ (Jest runs the TypeScript sources, and a thread cannot; `npm test` builds first).
 */
export function threadScript(dirname: string, file: string): string {
  const sibling = path.join(dirname, file);
  if (existsSync(sibling)) return sibling;
  const root = path.resolve(__dirname, '../..');
  const built = path.join(root, 'dist', path.relative(root, dirname), file);
  if (existsSync(built)) return built;
  throw new Error(`thread entry not found at ${sibling} or ${built}: run "npm run build" first`);
}
