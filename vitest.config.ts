import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Each test file starts its own server and databases, which takes a few seconds on two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: [],
  },
});
