/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS require hook */
// Test helper: lets `node -r <this> src/cli.ts` run the TypeScript sources directly (with the
// swc that jest uses), so CLI tests exercise the current code without a build.
const fs = require('node:fs');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
