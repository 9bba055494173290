// One jest run covers unit tests beside the code and cross-service integration tests in test/.
// Type-checking is a separate step (`npm run typecheck`), so ts-jest only transpiles here.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^@switchboard/(runtime|proto|mesh)$': '<rootDir>/packages/$1/src/index.ts',
    '^@switchboard/(gateway|guild|presence|push)$': '<rootDir>/services/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // Real Kafka and PostgreSQL are brought up (idempotently) before any test runs.
  globalSetup: '<rootDir>/test/global-setup.ts',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
