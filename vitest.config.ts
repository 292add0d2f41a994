import { defineConfig } from 'vitest/config';

// Only test/ holds vitest suites: Playwright specs (*.spec.ts in synthetic/) must never be
// collected here, or Playwright's test() throws "did not expect test() to be called here".
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The machine has 2 cores: timing-sensitive suites must not fight each other for CPU.
    fileParallelism: false,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
