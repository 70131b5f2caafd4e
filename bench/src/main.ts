/** Entry point of `npm run bench` (node dist/src/main.js) and `npm run bench:deno`. */
import "./relaxed-simd.js"; // first: before any Wasm binary is compiled

import process from "node:process";

import { main } from "./cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
