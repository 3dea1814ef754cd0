import { defineConfig } from 'vitest/config';

// Integration tests share one migrated PGlite snapshot (see test/global-setup.ts) and
// run files in parallel across the machine's two cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
