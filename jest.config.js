/** One jest config for unit, contract and end-to-end suites. */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@app/(domain|event-store|projections|credentials|notifications|lifecycle)$': '<rootDir>/libs/$1/src',
    '^@app/(domain|event-store|projections|credentials|notifications|lifecycle)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  globalSetup: '<rootDir>/test/support/container-runtime.ts',
  testTimeout: 30000,
};
