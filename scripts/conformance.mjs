#!/usr/bin/env node
// `npm run conformance -- [file-or-folder...] [flags]`: the package's conformance command on the
// golden vectors of this repository (golden/, a copy of ../shared/golden) unless files or folders
// are named. Relative paths are resolved from the repository root.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "packages", "simdopt", "dist", "cli", "conformance.js");
/** The command's flags that take a value: the word after them is not a path. */
const VALUED_FLAGS = new Set(["--binary", "--rounding"]);

const args = process.argv.slice(2);
const namesPath = args.some((arg, i) => !arg.startsWith("-") && !VALUED_FLAGS.has(args[i - 1]));
const run = spawnSync(process.execPath, [cli, ...args, ...(namesPath ? [] : ["golden"])], {
  cwd: root,
  stdio: "inherit",
});
if (run.error !== undefined) {
  console.error(`could not run ${cli}: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
