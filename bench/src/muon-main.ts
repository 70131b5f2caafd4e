/**
 * Entry point of `npm run bench:muon` (node bench/dist/src/muon-main.js [rows]x[cols] [--threads
 * 1,2] [--full]): the Muon case alone (muon.ts), its table on stdout and its results in
 * results/muon.json.
 */
import "./relaxed-simd.js"; // first: before any Wasm binary is compiled

import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";

import { TIMING } from "./args.js";
import { environment } from "./environment.js";
import { muonLines, runMuon } from "./muon.js";

const USAGE = "usage: npm run bench:muon -- [ROWSxCOLS (1024x1024)] [--threads 1,2] [--full]";

async function main(argv: string[]): Promise<number> {
  let shape = { rows: 1024, cols: 1024 };
  let threads = [1, 2];
  let profile: "quick" | "full" = "quick";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const size = /^(\d+)x(\d+)$/.exec(arg);
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return 0;
    } else if (arg === "--full") profile = "full";
    else if (arg === "--threads") {
      threads = (argv[++i] ?? "").split(",").map(Number);
      if (threads.length === 0 || threads.some((t) => !Number.isInteger(t) || t < 1)) {
        console.error(`--threads: a list of thread counts (1,2), got '${argv[i]}'\n${USAGE}`);
        return 2;
      }
    } else if (size !== null && Number(size[1]) > 0 && Number(size[2]) > 0) {
      shape = { rows: Number(size[1]), cols: Number(size[2]) };
    } else {
      console.error(`unknown argument '${arg}'\n${USAGE}`);
      return 2;
    }
  }
  const result = await runMuon(TIMING[profile], shape, threads, (label) => process.stderr.write(`${label}\n`));
  const lines = muonLines(result);
  console.log(lines.join("\n"));
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/muon.json",
    `${JSON.stringify({ schema: "simdopt-bench-muon/1", date: new Date().toISOString(), environment: environment(), profile, ...result }, null, 2)}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench:muon: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
