#!/usr/bin/env node
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point */
// The package's bin. Committed executable, so npm links it even before the first build;
// the CLI itself is compiled from src/cli.ts.
try {
  require.resolve('../dist/cli.js');
} catch {
  process.stderr.write(
    'dryad-agent is not built yet: run "npm run build" in the repository (or "npx tsc -b" in dryad-agent/)\n',
  );
  process.exit(1);
}
require('../dist/cli.js').runCli(process.argv.slice(2));
