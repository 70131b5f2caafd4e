#!/usr/bin/env node
/**
 * `npm run bench:deno`: runs the built benchmark (bench/dist/src/main.js) under Deno, using the
 * binary of the `deno` npm package already in node_modules (its install script is not relied on:
 * the platform package's binary is used directly when the wrapper's is missing). Flags are passed
 * through: `npm run bench:deno -- --sizes 64K --impls wasm-simd,js`.
 * Equivalent by hand: `deno run -A bench/dist/src/main.js [flags]`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { findDeno } from "../../scripts/find-deno.mjs";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const main = path.join(benchDir, "dist", "src", "main.js");
if (!existsSync(main)) {
  console.error(`bench:deno: ${main} is missing; build first (npx turbo run build)`);
  process.exit(1);
}

const deno = findDeno(benchDir);
if (deno === undefined) {
  console.error("bench:deno: no deno binary found (install the `deno` npm package, or set DENO_BIN)");
  process.exit(1);
}
const result = spawnSync(deno, ["run", "-A", main, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, INIT_CWD: process.env.INIT_CWD ?? process.cwd() },
});
if (result.error) {
  console.error(`bench:deno: could not run ${deno}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
