#!/usr/bin/env node
// `node scripts/run-after-build.mjs <script> [args...]`: builds every workspace with turbo, then runs
// `node <script> [args...]` from the repository root, exiting with its status. The build's logs
// are shown only when it fails; meanwhile a line on stderr tells each workspace's build starting
// and ending, and which still run, at least every 5 s (from a fresh clone the build takes
// minutes). `--help` runs quietly, so that `npm run bench -- --help` prints only the help.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildWithProgress } from "./build-with-progress.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [script, ...args] = process.argv.slice(2);
if (script === undefined) {
  console.error("usage: node scripts/run-after-build.mjs <script> [args...]");
  process.exit(2);
}

const helpOnly = args.includes("--help") || args.includes("-h");
const build = await buildWithProgress(root, { quiet: helpOnly });
if (!build.ok) {
  process.stderr.write(build.output);
  console.error(`the build failed (${build.reason})`);
  process.exit(1);
}

const run = spawnSync(process.execPath, [path.resolve(root, script), ...args], { cwd: root, stdio: "inherit" });
if (run.error !== undefined) {
  console.error(`could not run ${script}: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
