#!/usr/bin/env node
// `npm run migration:generate -- Name`: writes migrations/{timestamp}-{Name}.ts from the
// difference between the entities and the database the LESHY_* environment points at.
const { spawnSync } = require('node:child_process');
const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
  console.error('usage: npm run migration:generate -- PascalCaseName   (e.g. AddWorkerNotes)');
  process.exit(2);
}
const result = spawnSync(
  'npx',
  [
    'typeorm-ts-node-commonjs',
    '-d',
    'ormconfig.ts',
    'migration:generate',
    '--pretty',
    `migrations/${name}`,
  ],
  { stdio: 'inherit' },
);
if (result.status === 0) {
  console.log(
    'Now read the generated file, then add its class to MIGRATIONS in src/database/migrations.ts.',
  );
}
process.exit(result.status ?? 1);
