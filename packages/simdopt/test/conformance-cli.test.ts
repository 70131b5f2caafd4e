// The conformance command: counts, the failing-case lines, skipped kinds and the exit status.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { GOLDEN_DIR } from "./helpers.js";

const CLI = fileURLToPath(new URL("../dist/cli/conformance.js", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

test("the golden folder passes, schedules and clipping are skipped with a notice", () => {
  const { status, stdout } = run(GOLDEN_DIR);
  const lines = stdout.trim().split("\n");
  expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(Number(lines.at(-1)!.split(" ")[0])).toBeGreaterThan(0);
  expect(stdout).toMatch(/skipped .*schedules\.json: \d+ learning-rate schedule cases/);
  expect(stdout).toMatch(/skipped .*clipping\.json: \d+ gradient clipping cases/);
  expect(status).toBe(0);
});

test("a file's source picks the torch version: both the torch 1.13 and the torch 2 files pass", () => {
  const { status, stdout } = run(GOLDEN_DIR, join(GOLDEN_DIR, "torch2"));
  expect(stdout.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(status).toBe(0);
  // torch 2's NAdam cases labelled as torch 1.13 fail: the source, not the case, chose the μ product.
  const torch2 = JSON.parse(readFileSync(join(GOLDEN_DIR, "torch2", "optimizers.json"), "utf8"));
  const nadam = torch2.cases.filter((c: { optimizer: string }) => c.optimizer === "nadam");
  const file = join(mkdtempSync(join(tmpdir(), "simdopt-")), "relabelled.json");
  writeFileSync(file, JSON.stringify({ ...torch2, source: "torch 1.13.0 torch.optim", cases: nadam }));
  expect(run(file).stdout.trim().split("\n").at(-1)).toBe(`0 passed, ${nadam.length} failed`);
});

test("a wrong expectation fails its case with its largest error, and the exit status is 1", () => {
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, "optimizers.json"), "utf8"));
  const cases = golden.cases.slice(0, 3);
  cases[1].params[0].expected[4][2] += 1e-3; // torch's value moved by 1e-3
  const file = join(mkdtempSync(join(tmpdir(), "simdopt-")), "tampered.json");
  writeFileSync(file, JSON.stringify({ ...golden, cases }));
  for (const [binary, rounding] of [["simd", "separate"], ["scalar", "fused"], ["reference", "fused"]]) {
    const { status, stdout } = run(file, "--binary", binary, "--rounding", rounding);
    expect(stdout).toContain(`FAIL ${file}: ${cases[1].name}: largest error`);
    expect(stdout.trim().split("\n").at(-1)).toBe("2 passed, 1 failed");
    expect(status).toBe(1);
  }
});

test("bad arguments exit with status 2 and the usage", () => {
  expect(run().status).toBe(2);
  expect(run("/no/such/file").stderr).toMatch(/no such file or folder/);
  expect(run(GOLDEN_DIR, "--binary", "gpu").stderr).toMatch(/--binary must be one of/);
  expect(run(GOLDEN_DIR, "--rounding", "exact").stderr).toMatch(/--rounding must be one of/);
});
