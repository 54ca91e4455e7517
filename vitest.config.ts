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
    // expect.poll waits this long by default instead of 1 s: under CI's load (two test files at once,
    // load average 4–6) a page or a socket can take a few seconds to settle, and a poll that is right
    // returns as soon as it holds, so only a failing one waits the longer.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
