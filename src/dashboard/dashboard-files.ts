import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Response } from 'express';
import { leshyPackageRoot } from '../common/package-root';

/**
 * Where the built dashboard is: dist/web under the package root (Vite writes it there during
 * `npm run build`), whether the server runs from dist/src or, in the test suites, from src.
 * Null if it was not built.
 */
export function dashboardDirectory(): string | null {
  const root = leshyPackageRoot();
  if (!root) return null;
  const dir = path.join(root, 'dist', 'web');
  return existsSync(path.join(dir, 'index.html')) ? dir : null;
}

/**
 * The page itself is never cached (a new server version is seen at once); Vite's assets have a
 * content hash in their names, so they are cached for good. Scripts, styles, connections and
 * images come from this server only: the dashboard works in a lab with no internet, and an
 * injected script from elsewhere would not run.
 */
export function setDashboardHeaders(response: Response, file: string): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  if (file.endsWith('.html')) {
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'same-origin');
  } else if (file.includes(`${path.sep}assets${path.sep}`)) {
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  }
}
