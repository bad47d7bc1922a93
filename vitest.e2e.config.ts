import { defineConfig } from 'vitest/config';

// The browser suite (npm run test:e2e): one file at a time, each drives a real chromium
// against the real service, so they are slow by nature and must not share the two cores.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
