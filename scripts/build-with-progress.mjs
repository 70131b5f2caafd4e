// `turbo run build` with its logs held back but its progress shown: one line on stderr when a
// workspace's build starts and when it ends, and, while one runs, a line at least every 5 s
// saying which are still running. From a fresh clone the build takes minutes; a silent wait that
// long looks like a hang. Turbo prints a task's logs in one block when the task ends
// (--log-order=grouped), so a block's first line says which task ended; a task starts when the
// tasks it depends on (from `turbo run build --dry-run=json`) have ended.
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const HEARTBEAT_MS = 5_000;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/**
 * Builds every workspace of the repository at `root`.
 * @param {string} root the repository's root folder
 * @param {{ quiet?: boolean, write?: (line: string) => void }} [options] `quiet`: no progress lines
 * @returns {Promise<{ ok: boolean, output: string, reason?: string }>} `output`: turbo's whole
 *   output, to show when the build failed
 */
export async function buildWithProgress(
  root,
  { quiet = false, write = (line) => process.stderr.write(`${line}\n`) } = {},
) {
  const turbo = createRequire(path.join(root, "package.json")).resolve("turbo/bin/turbo");
  const env = { TURBO_TELEMETRY_DISABLED: "1", ...process.env };
  const say = quiet ? () => {} : write;

  const plan = spawnSync(process.execPath, [turbo, "run", "build", "--dry-run=json"], {
    cwd: root,
    encoding: "utf8",
    env,
  });
  if (plan.status !== 0)
    return { ok: false, output: `${plan.stdout}${plan.stderr}`, reason: "turbo run build --dry-run=json failed" };
  /** taskId ("simdopt#build") -> the tasks it waits for, and whether it runs a command at all */
  const tasks = new Map(
    JSON.parse(plan.stdout).tasks.map((task) => [
      task.taskId,
      { dependencies: task.dependencies, runs: task.command !== "<NONEXISTENT>" },
    ]),
  );
  const started = new Map(); // taskId -> start time
  const ended = new Set();
  const startTime = Date.now();
  const seconds = (since) => `${Math.round((Date.now() - since) / 1000)} s`;
  const startReady = () => {
    for (const [id, task] of tasks) {
      if (started.has(id) || !task.dependencies.every((dependency) => ended.has(dependency))) continue;
      started.set(id, Date.now());
      if (!task.runs) {
        ended.add(id); // a workspace without a build script: nothing runs
        startReady();
        return;
      }
      say(`build: ${id} started`);
    }
  };

  say(`building every workspace first (turbo run build: ${[...tasks.values()].filter((t) => t.runs).length} tasks)`);
  startReady();
  let lastLine = Date.now();
  const heartbeat = setInterval(() => {
    if (Date.now() - lastLine < HEARTBEAT_MS - 500) return;
    const running = [...started].filter(([id]) => !ended.has(id)).map(([id, since]) => `${id} (${seconds(since)})`);
    if (running.length > 0) say(`build: ${seconds(startTime)} so far; running ${running.join(", ")}`);
    lastLine = Date.now();
  }, 1000);

  const child = spawn(process.execPath, [turbo, "run", "build", "--log-order=grouped", "--output-logs=full"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let partial = "";
  const onData = (chunk) => {
    output += chunk;
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      // "simdopt:build: ..." is a line of simdopt#build's block, printed when it ended.
      const match = /^(\S+):build: /.exec(line.replace(ANSI, ""));
      const id = match && `${match[1]}#build`;
      if (id === null || !tasks.has(id) || ended.has(id)) continue;
      ended.add(id);
      say(`build: ${id} done${started.has(id) ? ` in ${seconds(started.get(id))}` : ""}`);
      lastLine = Date.now();
      startReady();
    }
  };
  child.stdout.setEncoding("utf8").on("data", onData);
  child.stderr.setEncoding("utf8").on("data", onData);
  const { status, error } = await new Promise((resolve) => {
    child.on("error", (spawnError) => resolve({ status: null, error: spawnError }));
    child.on("close", (code) => resolve({ status: code }));
  });
  clearInterval(heartbeat);
  if (error !== undefined || status !== 0) {
    return { ok: false, output, reason: `turbo run build: ${error?.message ?? `exit status ${status}`}` };
  }
  say(`build: done in ${seconds(startTime)}`);
  return { ok: true, output };
}
