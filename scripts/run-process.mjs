// Runs a child process without blocking: for tests, whose worker must keep reading vitest's
// replies while a child runs (a test waiting in spawnSync holds its worker's event loop; see
// yield-between-tests.mjs). Resolves with what spawnSync would return; never rejects on a
// non-zero exit status, only when the process cannot be started.
import { spawn } from "node:child_process";

/**
 * @typedef {{ status: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }} Ran
 * @param {string} file the executable
 * @param {readonly string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, input?: string, timeout?: number, shell?: boolean }} [options]
 *   `input` is written to its stdin; `timeout` (ms) kills it with SIGTERM, as spawnSync's does
 * @returns {Promise<Ran>}
 */
export function runProcess(file, args, options = {}) {
  const { input, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...spawnOptions, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.on("error", () => {}); // a child that exits without reading its input
    child.stdin.end(input);
  });
}
