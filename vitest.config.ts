import { defineConfig } from 'vitest/config';

// Verilator and yosys runs take seconds; two workers fit the 2-core machines this runs on.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
