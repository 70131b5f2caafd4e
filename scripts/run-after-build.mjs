#!/usr/bin/env node
// `node scripts/run-after-build.mjs <script> [args...]`: builds every workspace with turbo, then runs
// `node <script> [args...]` from the repository root, exiting with its status. The build is quiet:
// its output is shown only when it fails, so that `npm run bench -- --help` prints only the help.
// Other runs announce the build with one line on stderr (from a fresh clone it takes a while).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [script, ...args] = process.argv.slice(2);
if (script === undefined) {
  console.error("usage: node scripts/run-after-build.mjs <script> [args...]");
  process.exit(2);
}

const helpOnly = args.includes("--help") || args.includes("-h");
if (!helpOnly) process.stderr.write("building every workspace first (turbo run build)\n");
const turbo = createRequire(path.join(root, "package.json")).resolve("turbo/bin/turbo");
const build = spawnSync(process.execPath, [turbo, "run", "build", "--output-logs=errors-only"], {
  cwd: root,
  encoding: "utf8",
  env: { TURBO_TELEMETRY_DISABLED: "1", ...process.env },
});
if (build.error !== undefined || build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ""}${build.stderr ?? ""}`);
  console.error(`the build failed (turbo run build: ${build.error?.message ?? `exit status ${build.status}`})`);
  process.exit(1);
}

const run = spawnSync(process.execPath, [path.resolve(root, script), ...args], { cwd: root, stdio: "inherit" });
if (run.error !== undefined) {
  console.error(`could not run ${script}: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
