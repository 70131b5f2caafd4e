import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Returns to the event loop between tests (see the file).
    setupFiles: ["../scripts/yield-between-tests.mjs"],
    // Timeouts catch hangs, not slowness: a loaded 2-core machine runs a test many times slower.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
