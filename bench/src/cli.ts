/** `npm run bench`: parse the flags, run, print the tables, write JSON, markdown and SVG. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import { ArgsError, HELP, parseArgs } from "./args.js";
import { GateError } from "./gate.js";
import { toJson, writeText } from "./report/json.js";
import { toMarkdown } from "./report/markdown.js";
import { toSvg } from "./report/svg.js";
import { fileProblem, folderProblem } from "./report/writable.js";
import { runBench } from "./run.js";
import type { ProgressStream } from "./progress.js";

export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: ProgressStream;
  /** Directory that relative --json / --out-dir paths are resolved against. */
  cwd?: string;
}

/** The bench package directory (holds package.json), from this module's location. */
export function benchDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "@simdopt/bench")
      return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** Runs the bench; returns the exit code (0 ok, 1 correctness gate or other failure, 2 bad flags). */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv, path.join(benchDir()));
  } catch (e) {
    if (e instanceof ArgsError) {
      io.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  // npm runs workspace scripts in the workspace directory; user paths are relative to where the
  // command was typed (INIT_CWD).
  const base = io.cwd ?? process.env.INIT_CWD ?? process.cwd();
  const config = {
    ...parsed,
    jsonPath: path.resolve(base, parsed.jsonPath),
    outDir: path.resolve(base, parsed.outDir),
  };
  // The outputs are written after the whole run: check now that they can be.
  for (const [flag, problem] of [
    ["--json", fileProblem(config.jsonPath)],
    ["--out-dir", folderProblem(config.outDir)],
  ] as const) {
    if (problem !== undefined) {
      io.stderr.write(`bench: ${flag}: cannot write there: ${problem}\n`);
      return 2;
    }
  }
  io.stderr.write(
    `simdopt bench (${config.profile}): ${config.optimizers.join(", ")} × ${config.sizes.length} sizes × ` +
      `${config.impls.join(", ")} + bandwidth, ${config.dtype}\n`,
  );
  try {
    const results = await runBench(config, { progress: io.stderr, argv });
    const md = toMarkdown(results);
    const mdPath = path.join(config.outDir, "latest.md");
    const svgPath = path.join(config.outDir, "latest.svg");
    writeText(config.jsonPath, toJson(results));
    writeText(mdPath, md);
    writeText(svgPath, toSvg(results));
    io.stdout.write(`${md}\n`);
    io.stderr.write(`wrote ${config.jsonPath}\nwrote ${mdPath}\nwrote ${svgPath}\n`);
    return 0;
  } catch (e) {
    if (e instanceof GateError) {
      io.stderr.write(
        `\nbench: ${e.message}\nbench: aborted: an implementation gave wrong results, nothing was timed after it.\n`,
      );
      return 1;
    }
    throw e;
  }
}
