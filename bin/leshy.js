#!/usr/bin/env node
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point */
// The `leshy` command (package.json "bin"). Committed executable, so npm links it before the
// first build; the CLI itself is compiled from src/cli/leshy/ into dist/.
const entry = '../dist/src/cli/leshy/main.js';
try {
  require.resolve(entry);
} catch {
  process.stderr.write('leshy is not built yet: run "npm run build" in the repository\n');
  process.exit(1);
}
const { runLeshy } = require(entry);
require('../dist/src/cli/leshy/interrupts.js').installInterruptHandling();
runLeshy(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
