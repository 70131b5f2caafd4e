// Prints one JSON line about the runtime that runs it (Node, Deno or Bun): its name and version, and
// the binary the built package picks there by default. Run by test-runtimes.mjs.
import { isSimdSupported, loadRuntime, relaxedSimdFuses } from "../packages/simdopt/dist/index.js";

const runtime =
  typeof globalThis.Deno !== "undefined"
    ? `deno ${globalThis.Deno.version.deno}`
    : typeof globalThis.Bun !== "undefined"
      ? `bun ${globalThis.Bun.version}`
      : `node ${process.versions.node}`;
const picked = await loadRuntime();
console.log(
  JSON.stringify({
    runtime,
    simd: isSimdSupported(),
    relaxedSimdFuses: await relaxedSimdFuses(),
    binary: picked.build,
    threads: picked.threads,
  }),
);
picked.close();
