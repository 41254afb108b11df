/**
 * Jest runs TypeScript as ES modules through ts-jest (transpile only; `tsc --noEmit` type-checks).
 * Projects: unit (no emulators), integration and e2e (share one local stack started in globalSetup),
 * infra (CDK assertions) and stepfunctions (the ASL file).
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
export default {
  // The stack project's tests drive a whole local stack; a few seconds per test is normal there.
  testTimeout: 30_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/functions/**/*.test.ts'] },
    { ...base, displayName: 'stepfunctions', testMatch: ['<rootDir>/test/stepfunctions/**/*.test.ts'] },
    { ...base, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...base,
      displayName: 'stack',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
