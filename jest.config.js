// Two projects: fast unit specs beside the code, and e2e suites in test/ that start real
// processes (server, agents, SSH, serial). `npm test` runs both.
const swc = ['@swc/jest', { swcrc: true }];
// NestJS 12 ships ES modules only. Node 20 can require() them, but Jest's module loader can
// only do so from Node 24.9, so Jest compiles those packages to CommonJS like our own code.
const esmOnlyPackages = ['@nestjs'];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js)$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^dryad-agent/(.*)$': '<rootDir>/dryad-agent/src/$1' },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/dryad-agent/dist/'],
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/dryad-agent/src/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.int-spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
  // Per-project testTimeout is ignored by Jest 30; suites that start processes or hammer a
  // database on a loaded 2-core machine need more than the default 5 s per test.
  testTimeout: 60_000,
};
