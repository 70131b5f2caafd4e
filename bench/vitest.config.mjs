import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Returns to the event loop between tests (see the file).
    setupFiles: ["../scripts/yield-between-tests.mjs"],
  },
});
