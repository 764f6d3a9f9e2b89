import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vite would load graphql's ES module build for our sources while the libraries (run by Node)
    // load its CommonJS build, and graphql rejects types from the other copy. One entry for both.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Each test file starts its own server and databases, which takes a few seconds on two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
