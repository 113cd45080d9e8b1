// Two projects: fast unit specs beside the code, and e2e suites in test/ that start real
// processes (server, agents, SSH, serial). `npm test` runs both.
const swc = ['@swc/jest', { swcrc: true }];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^dryad-agent/(.*)$': '<rootDir>/dryad-agent/src/$1' },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/dryad-agent/dist/'],
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/dryad-agent/src/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.int-spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testTimeout: 60000 },
  ],
};
