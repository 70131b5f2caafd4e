// The threaded path of the built package under Deno (workers through Deno's node:worker_threads):
// bit-identical to one thread for every optimizer and for LAMB's one tensor cut at its blocks, and
// the process exits without close().
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { OPTIMIZER_NAMES } from "../dist/index.js";
import { runProcess } from "../../../scripts/run-process.mjs";
import { findDeno } from "./helpers.js";

test("threads run under Deno and match one thread bit for bit", async () => {
  const deno = findDeno();
  expect(deno, "the deno binary of the `deno` devDependency is missing: run npm ci").toBeDefined();
  const script = fileURLToPath(new URL("./deno/threads.ts", import.meta.url));
  const { status, stdout, stderr } = await runProcess(deno!, ["run", "--no-prompt", "--allow-read", script], {
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    timeout: 240_000,
  });
  expect(status, `deno failed:\n${stderr}`).toBe(0);
  const report = JSON.parse(stdout.trim().split("\n").pop()!);
  expect(report.runtime).toMatch(/^deno 2\./);
  expect(report.threads).toBe(2);
  expect(report.results).toHaveLength(OPTIMIZER_NAMES.length * 2);
  // Every one of the 5 steps is split: element-wise kernels within tensors, the others between them.
  expect(report.split).toBe(OPTIMIZER_NAMES.length * 2 * 5);
  for (const result of report.results) {
    expect(result.same, `${result.name} ${result.dtype}`).toBe(true);
    expect(result.moved, `${result.name} ${result.dtype}`).toBe(true);
  }
  // LAMB's and Adafactor's single tensors, cut at their blocks: the same bits, and the worker took part.
  expect(report.oneTensor.map(({ name }: { name: string }) => name)).toEqual([
    "lamb",
    "lamb",
    "adafactor",
    "adafactor",
  ]);
  for (const result of report.oneTensor) expect(result.same, `${result.name} ${result.dtype}`).toBe(true);
  // The worker took part, counted over the four: a worker woken late may leave all of one case's
  // chunks to the calling thread, as the pool means it to (on a loaded machine it did, for LAMB).
  const workerRan = report.oneTensor.reduce((sum: number, { workerRan }: { workerRan: number }) => sum + workerRan, 0);
  expect(workerRan, "chunks the worker ran").toBeGreaterThan(0);
});

test("under Deno without --allow-read, threads: 'auto' steps on one thread, and threads: 2 says why it cannot", async () => {
  const deno = findDeno();
  expect(deno, "the deno binary of the `deno` devDependency is missing: run npm ci").toBeDefined();
  const script = fileURLToPath(new URL("./deno/no-read.ts", import.meta.url));
  const { status, stdout, stderr } = await runProcess(deno!, ["run", "--no-prompt", script], {
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    timeout: 120_000,
  });
  expect(status, `deno failed:\n${stderr}`).toBe(0);
  const report = JSON.parse(stdout.trim().split("\n").pop()!);
  expect(report).toMatchObject({ threads: 1, steps: 4, moved: true });
  expect(report.explicit).toMatch(
    /option 'threads' is 2, but Deno may not read the worker module \(run with --allow-read\)/,
  );
});
