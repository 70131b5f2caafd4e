// The playground and the library's browser check, built as static pages into dist/playground.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  build: {
    outDir: fileURLToPath(new URL("../dist/playground", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    rollupOptions: { input: { index: `${here}index.html`, check: `${here}check.html` } },
  },
  server: {
    // A cross-origin isolated page: simdopt then runs over a shared memory.
    headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" },
  },
});
