#!/usr/bin/env node
// `npm run test:runtimes [-- --full]`: the built package under every runtime of the matrix: Node 22,
// 24 and 26 and Bun (installed from npm by `npm ci --prefix runtimes`), and Deno (the `deno`
// devDependency). Under each: the binary the package picks, the conformance command on golden/,
// and the package's tests: under Node and Bun a representative subset of its vitest suite (the
// whole suite with --full), under Deno the two scripts that deno.test.ts and deno-threads.test.ts
// run there (vitest itself does not run under Deno). Ends with a table; exits 1 if any failed.
// Build first (npm run build). Node 20, the runtime of `npm test`, is not repeated here. --only
// picks some of the runtimes.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findDeno } from "./find-deno.mjs";
import { runProcess } from "./run-process.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = path.join(root, "packages", "simdopt");
const runtimesDir = path.join(root, "runtimes", "node_modules");

/**
 * The test files run under every runtime by default: those whose outcome depends on the engine
 * (Wasm SIMD and relaxed SIMD, shared memory and its growth, workers, module loading, error
 * messages, child processes), not the ones that only exercise plain JavaScript arithmetic.
 */
const SUBSET = [
  "equivalence",
  "golden",
  "fused-rounding",
  "threads",
  "shared-memory",
  "memory",
  "state-dict",
  "safetensors",
  "validation",
  "package",
  "conformance-cli",
  "yield-between-tests",
].map((name) => `test/${name}.test.ts`);

const USAGE = "usage: node scripts/test-runtimes.mjs [--full] [--only node22,node24,node26,bun,deno]";
const args = process.argv.slice(2);
const full = args.includes("--full");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(",") : undefined;
const unknown = args.filter((arg, i) => arg !== "--full" && (onlyAt < 0 || (i !== onlyAt && i !== onlyAt + 1)));
if (unknown.length > 0) {
  console.error(`test-runtimes: unknown argument ${unknown[0]}; ${USAGE}`);
  process.exit(2);
}

const deno = findDeno(root);
const runtimes = [
  ...["22", "24", "26"].map((major) => ({
    name: `node${major}`,
    kind: "node",
    bin: path.join(runtimesDir, `node${major}`, "bin", "node"),
  })),
  { name: "bun", kind: "bun", bin: path.join(runtimesDir, "bun", "bin", "bun") },
  { name: "deno", kind: "deno", bin: deno ?? "deno (the `deno` devDependency)" },
].filter((runtime) => only === undefined || only.includes(runtime.name));
const unnamed = only?.find((name) => !["node22", "node24", "node26", "bun", "deno"].includes(name));
if (unnamed !== undefined) {
  console.error(`test-runtimes: --only names no runtime '${unnamed}'; ${USAGE}`);
  process.exit(2);
}
const missing = runtimes.filter((runtime) => runtime.bin === undefined || !existsSync(runtime.bin));
if (missing.length > 0) {
  console.error(`test-runtimes: missing ${missing.map((runtime) => runtime.bin).join(", ")}`);
  console.error("install them with `npm ci --prefix runtimes` (and `npm ci` at the root for Deno)");
  process.exit(1);
}
if (!existsSync(path.join(packageDir, "dist", "index.js"))) {
  console.error("test-runtimes: packages/simdopt/dist is missing; build first (npm run build)");
  process.exit(1);
}

/** `args` as the runtime runs a script: Deno needs `run` and its permissions. */
function scriptArgs(runtime, script, ...rest) {
  return runtime.kind === "deno"
    ? ["run", "--no-prompt", "--allow-read", "--allow-env", script, ...rest]
    : [script, ...rest];
}

/** Runs a child, echoing its output line by line with the runtime's name in front. */
async function run(runtime, file, argv, cwd = root) {
  const started = Date.now();
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  // Children that start `node` by name (npm pack, in package.test.ts) start this runtime's Node.
  if (runtime.kind === "node") env.PATH = `${path.dirname(runtime.bin)}${path.delimiter}${env.PATH}`;
  const result = await runProcess(file, argv, { cwd, env, onLine: (line) => console.log(`[${runtime.name}] ${line}`) });
  return { ...result, seconds: Math.round((Date.now() - started) / 1000) };
}

/** The last line of `text` that matches `pattern`, or undefined. */
const lastMatch = (text, pattern) =>
  text
    .split("\n")
    .filter((line) => pattern.test(line))
    .at(-1);

async function packageTests(runtime) {
  if (runtime.kind === "deno") {
    const outcomes = [];
    for (const script of ["smoke.ts", "threads.ts"]) {
      const ran = await run(runtime, runtime.bin, scriptArgs(runtime, path.join(packageDir, "test", "deno", script)));
      const report = ran.status === 0 ? JSON.parse(ran.stdout.trim().split("\n").pop()) : undefined;
      const results = [...(report?.results ?? []), ...(report?.fma ?? []), ...(report?.oneTensor ?? [])];
      // Each result: the same bits as the reference (or one thread), and the parameters moved; and
      // the worker ran some of the one-tensor cases' chunks (deno-threads.test.ts checks the same).
      const same = results.filter((result) => result.same && result.moved !== false).length;
      const workerRan = (report?.oneTensor ?? []).reduce((sum, result) => sum + result.workerRan, 0);
      outcomes.push({
        ok:
          report !== undefined &&
          results.length > 0 &&
          same === results.length &&
          (script !== "threads.ts" || workerRan > 0),
        text: `${script} ${same}/${results.length} bit-identical`,
      });
    }
    return { ok: outcomes.every((outcome) => outcome.ok), text: outcomes.map((outcome) => outcome.text).join(", ") };
  }
  const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs");
  const ran = await run(runtime, runtime.bin, [vitest, "run", ...(full ? [] : SUBSET)], packageDir);
  const counts =
    lastMatch(ran.stdout, /^\s+Tests\s+/)
      ?.trim()
      .replace(/\s+/g, " ") ?? "no summary";
  return {
    ok: ran.status === 0,
    text: `${full ? "whole suite" : `${SUBSET.length} files`}: ${counts}, ${ran.seconds} s`,
  };
}

const rows = [];
for (const runtime of runtimes) {
  console.log(`\n== ${runtime.name} (${runtime.bin})`);
  const reported = await run(
    runtime,
    runtime.bin,
    scriptArgs(runtime, path.join(root, "scripts", "runtime-report.mjs")),
  );
  const report = reported.status === 0 ? JSON.parse(reported.stdout.trim().split("\n").pop()) : undefined;
  const conformance = await run(
    runtime,
    runtime.bin,
    scriptArgs(runtime, path.join(packageDir, "dist", "cli", "conformance.js"), path.join(root, "golden")),
  );
  const tests = await packageTests(runtime);
  rows.push({
    runtime: report?.runtime ?? `${runtime.name}: did not start (${reported.stderr.trim().split("\n").pop()})`,
    binary: report === undefined ? "-" : `${report.binary}${report.relaxedSimdFuses ? "" : " (no relaxed SIMD)"}`,
    conformanceOk: conformance.status === 0,
    conformance:
      lastMatch(conformance.stdout, /^\d+ passed \(.*\), \d+ failed$/) ?? `exit status ${conformance.status}`,
    testsOk: tests.ok,
    tests: tests.text,
  });
}

console.log("\n| runtime | binary picked | conformance (golden/) | package tests |\n|---|---|---|---|");
for (const row of rows) {
  const mark = (ok) => (ok ? "pass" : "FAIL");
  console.log(
    `| ${row.runtime} | ${row.binary} | ${mark(row.conformanceOk)}: ${row.conformance} | ${mark(row.testsOk)}: ${row.tests} |`,
  );
}
process.exit(rows.every((row) => row.conformanceOk && row.testsOk) ? 0 : 1);
