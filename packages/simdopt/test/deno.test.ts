// The built package under Deno (from the `deno` npm package): every optimizer agrees with the
// reference there too.
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { OPTIMIZER_NAMES } from "../dist/index.js";
import { runProcess } from "../../../scripts/run-process.mjs";
import { findDeno } from "./helpers.js";

test("the package runs under Deno and matches the reference", async () => {
  const deno = findDeno();
  expect(deno, "the deno binary of the `deno` devDependency is missing: run npm ci").toBeDefined();
  const script = fileURLToPath(new URL("./deno/smoke.ts", import.meta.url));
  const { status, stdout, stderr } = await runProcess(deno!, ["run", "--no-prompt", "--allow-read", script], {
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    timeout: 240_000,
  });
  expect(status, `deno failed:\n${stderr}`).toBe(0);
  const report = JSON.parse(stdout.trim().split("\n").pop()!);
  expect(report.runtime).toMatch(/^deno 2\./);
  expect(report.simd).toBe(true);
  expect(report.results).toHaveLength(OPTIMIZER_NAMES.length * 2 * 3);
  for (const result of report.results) {
    expect(result.same, `${result.name} ${result.dtype} on ${result.binary}`).toBe(true);
    expect(result.moved, `${result.name} ${result.dtype} on ${result.binary}`).toBe(true);
  }
  // Deno 2 has relaxed SIMD: the default SIMD runtime uses it, and it agrees with the emulation.
  expect(report.relaxed).toBe(true);
  expect(report.fma.map((r: { binary: string }) => r.binary)).toEqual([
    "reference",
    "scalar-shared-fused",
    "simd-shared-relaxed",
    "simd-shared-fused",
  ]);
  for (const result of report.fma) expect(result.same, `fused multiply-adds on ${result.binary}`).toBe(true);
});
