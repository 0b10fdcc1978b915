import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Finds Redis (or starts a private redis-server) before any test file runs; see the file for the rules.
    // And hands the PostgreSQL URL to the history tests (test/setup/test-postgres.global.ts).
    globalSetup: ['test/setup/test-redis.global.ts', 'test/setup/test-postgres.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Redis-backed suites isolate by key prefix, so files may run in parallel.
    pool: 'forks',
  },
});
