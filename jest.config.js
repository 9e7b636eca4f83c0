/**
 * Jest 30 + @swc/jest: NestJS 12 ships ES modules only, so every file (ours and node_modules) is down-levelled to
 * CommonJS by SWC (ts-jest cannot load @nestjs/testing 12 on Node 20). See docs/architecture.md.
 * Tests run one file at a time (two cores); each integration, end-to-end and browser file has a database and a Redis key
 * prefix of its own (test/support/environment.ts), made from the run's migrated database and removed after the file.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const base = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [],
  moduleNameMapper: { '^@kapok/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
};
// Each file of these projects gets a database and a Redis key prefix of its own (test/support/environment.ts).
const withDb = {
  ...base,
  testEnvironment: '<rootDir>/test/support/environment.ts',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
module.exports = {
  maxWorkers: 1,
  // A fresh worker process for every file (any limit makes jest use a worker; one this low is exceeded after each
  // file): what a file leaves running — a stack whose close was cut short, a timer, a socket retrying a dropped
  // database — dies with its process instead of slowing every file after it in one long-lived process.
  workerIdleMemoryLimit: '1MB',
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...withDb, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...withDb, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // The web console in real Chromium (Debian's /usr/bin/chromium) driven by playwright-core; needs dist/console.
    { ...withDb, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
