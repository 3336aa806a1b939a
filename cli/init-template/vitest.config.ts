import { defineConfig } from 'vitest/config';

// Verilator compiles each design once (cached afterwards): give the first run time.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } });
