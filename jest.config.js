/**
 * Jest runs TypeScript as ES modules through ts-jest (transpile only; `tsc --noEmit` type-checks).
 * Projects: unit (no emulators), integration, e2e and browser (Playwright in Debian's Chromium; they
 * share one local stack started in globalSetup),
 * infra (CDK assertions) and stepfunctions (the ASL file). `npm test` runs those; `npm run test:slow` runs
 * the slow project (test/slow: races at scale, fault injection with real timeouts, 10,000-case fuzzing),
 * which starts its own local stack the same way.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true }],
  '^.+\\.(njk|txt|html)$': '<rootDir>/test/support/text-transform.cjs',
};
const base = {
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json', 'njk'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};
const stack = {
  ...base,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
export default {
  // The stack project's tests drive a whole local stack; a few seconds per test is normal there.
  testTimeout: 30_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/functions/**/*.test.ts', '<rootDir>/test/contract/**/memory.test.ts'] },
    { ...base, displayName: 'stepfunctions', testMatch: ['<rootDir>/test/stepfunctions/**/*.test.ts'] },
    { ...base, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...stack, displayName: 'stack', testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/contract/**/dynamodb.test.ts', '<rootDir>/test/contract/**/cognito.test.ts', '<rootDir>/test/browser/**/*.test.ts'] },
    { ...stack, displayName: 'slow', testMatch: ['<rootDir>/test/slow/**/*.test.ts'] },
  ],
};
