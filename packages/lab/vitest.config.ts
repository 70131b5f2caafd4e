import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Returns to the event loop between tests (see the file).
    setupFiles: ["../../scripts/yield-between-tests.mjs"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
