// Runs a child process without blocking: for tests, whose worker must keep reading vitest's
// replies while a child runs (a test waiting in spawnSync holds its worker's event loop; see
// yield-between-tests.mjs), and for scripts that show a child's output as it comes. Resolves with
// what spawnSync would return; never rejects on a non-zero exit status, only when the process
// cannot be started.
import { spawn } from "node:child_process";

/**
 * @typedef {{ status: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }} Ran
 * @param {string} file the executable
 * @param {readonly string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, input?: string, timeout?: number, shell?: boolean,
 *   onLine?: (line: string) => void }} [options]
 *   `input` is written to its stdin; `timeout` (ms) kills it with SIGTERM, as spawnSync's does;
 *   `onLine` is called with each line of its stdout and stderr as it comes
 * @returns {Promise<Ran>}
 */
export function runProcess(file, args, options = {}) {
  const { input, onLine, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...spawnOptions, stdio: ["pipe", "pipe", "pipe"] });
    const output = { stdout: "", stderr: "" };
    for (const name of /** @type {const} */ (["stdout", "stderr"])) {
      let partial = "";
      child[name].setEncoding("utf8").on("data", (chunk) => {
        output[name] += chunk;
        if (onLine === undefined) return;
        const lines = (partial + chunk).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      });
      child[name].on("end", () => {
        if (onLine !== undefined && partial !== "") onLine(partial);
      });
    }
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, ...output }));
    child.stdin.on("error", () => {}); // a child that exits without reading its input
    child.stdin.end(input);
  });
}
