import { defineConfig } from 'vitest/config';

/** The fuzz suite: `npm run fuzz`; more cases than the fast suite, run by CI after it. */
export default defineConfig({
  test: {
    include: ['tests/fuzz/**/*.fuzz.ts'],
    setupFiles: ['tests/support/cleanup.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
