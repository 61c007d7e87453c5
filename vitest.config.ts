import { defineConfig } from 'vitest/config';

// Workspaces resolve each other's TypeScript source through the `landed-source` export condition,
// so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['landed-source'] },
  ssr: { resolve: { conditions: ['landed-source'], externalConditions: ['landed-source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'harness/src/**/*.test.ts',
      'harness/test/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
