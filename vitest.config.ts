import { defineConfig } from 'vitest/config';

/**
 * One suite, two databases: KENALAN_TEST_DB=pglite (default) or postgres. The global setup builds
 * a migrated template once; each test file gets its own copy (see test/support/database.ts).
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
