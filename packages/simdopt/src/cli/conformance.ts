#!/usr/bin/env node
/**
 * simdopt-conformance <file-or-folder>... [--binary auto|simd|scalar|reference] [--rounding fused|separate]
 *
 * Runs every optimizer and trajectory case of `optimizer-golden/1` files through simdopt's
 * kernels, prints one line per failing case with its largest error, and ends with
 * the largest error of each element type, and `N passed, M failed`. Exit status 0 only when
 * nothing failed. Schedule and clipping cases are skipped with a notice and not counted. The
 * kernels run with the library's default, fused multiply-adds as torch's float32 CPU kernels
 * compute them (float32 results bit-identical: largest float32 error 0), unless
 * `--rounding separate` asks for separately rounded ones. Each file's `source` picks the behaviour
 * it was computed with where simdopt's defaults (torch 2) differ: torch 1.13's NAdam.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  caseKind, GOLDEN_FORMAT, runOptimizerCase, runTrajectoryCase,
  type CaseKind, type CaseResult, type OptimizerCase, type TrajectoryCase,
} from "../conformance/golden.js";
import { BINARY_CHOICES, ROUNDINGS, type BinaryChoice, type Rounding } from "../runtime/load.js";
import { loadRuntime } from "../runtime/runtime.js";

const USAGE = `usage: simdopt-conformance <file-or-folder>... [--binary ${BINARY_CHOICES.join("|")}] [--rounding ${ROUNDINGS.join("|")}]`;

function parseArgs(argv: string[]): { paths: string[]; binary: BinaryChoice; rounding: Rounding } {
  const paths: string[] = [];
  let binary: BinaryChoice = "auto";
  let rounding: Rounding = "fused"; // the library's default, which reproduces torch's float32 arithmetic
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === "--binary") {
      binary = argv[++i] as BinaryChoice;
      if (!BINARY_CHOICES.includes(binary)) fail(`--binary must be one of ${BINARY_CHOICES.join(", ")}`);
    } else if (arg === "--rounding") {
      rounding = argv[++i] as Rounding;
      if (!ROUNDINGS.includes(rounding)) fail(`--rounding must be one of ${ROUNDINGS.join(", ")}`);
    } else if (arg.startsWith("--")) {
      fail(`unknown flag ${arg}`);
    } else {
      paths.push(arg);
    }
  }
  if (paths.length === 0) fail("no file or folder given");
  return { paths, binary, rounding };
}

function fail(message: string): never {
  console.error(`simdopt-conformance: ${message}\n${USAGE}`);
  process.exit(2);
}

/** The .json files named, folders expanded (sorted, not recursive). */
function goldenFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      fail(`no such file or folder: ${path}`);
    }
    if (!stat.isDirectory()) return [path];
    return readdirSync(path).filter((name) => name.endsWith(".json")).sort().map((name) => join(path, name));
  });
}

const SKIPPED: Partial<Record<CaseKind, string>> = {
  schedule: "learning-rate schedule",
  clipping: "gradient clipping",
};

async function main(): Promise<void> {
  const { paths, binary, rounding } = parseArgs(process.argv.slice(2));
  const runtime = await loadRuntime({ binary, rounding });
  let passed = 0;
  let failed = 0;
  const largest = { float32: { error: 0, cases: 0 }, float64: { error: 0, cases: 0 } };
  const report = (file: string, result: CaseResult) => {
    const meter = largest[result.dtype];
    if (meter !== undefined) {
      meter.error = Math.max(meter.error, result.maxError);
      meter.cases++;
    }
    if (result.passed) {
      passed++;
      return;
    }
    failed++;
    const detail = result.error ?? `largest error ${result.maxError.toExponential(3)} > tolerance ${result.tolerance}`;
    console.log(`FAIL ${file}: ${result.name}: ${detail}`);
  };
  for (const file of goldenFiles(paths)) {
    let document: { format?: string; source?: string; cases?: Record<string, unknown>[] };
    try {
      document = JSON.parse(readFileSync(file, "utf8"));
    } catch (cause) {
      console.log(`FAIL ${file}: cannot read: ${String(cause)}`);
      failed++;
      continue;
    }
    if (document.format !== GOLDEN_FORMAT || !Array.isArray(document.cases)) {
      console.log(`skipped ${file}: not an ${GOLDEN_FORMAT} file`);
      continue;
    }
    const skipped = new Map<CaseKind, number>();
    for (const c of document.cases) {
      const kind = caseKind(c);
      if (kind === "optimizer") report(file, runOptimizerCase(runtime, c as unknown as OptimizerCase, document.source));
      else if (kind === "trajectory") report(file, runTrajectoryCase(runtime, c as unknown as TrajectoryCase, document.source));
      else skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
    }
    for (const [kind, count] of skipped) {
      console.log(`skipped ${file}: ${count} ${SKIPPED[kind] ?? "unrecognised"} case${count === 1 ? "" : "s"} (not supported yet, not counted)`);
    }
  }
  console.log(`conformance (${runtime.build} kernels, ${runtime.rounding} rounding):`);
  for (const [dtype, { error, cases }] of Object.entries(largest)) {
    if (cases > 0) console.log(`largest ${dtype} error: ${error === 0 ? "0" : error.toExponential(3)} (relative, over ${cases} cases)`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
