// The low-bit state comparison: Adam on the digit MLP with float32, bfloat16 and 8-bit moments, through
// the library and through the command.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadRuntime } from "simdopt";
import { afterAll, expect, test } from "vitest";
import { loadDigits } from "../dist/train/digits.js";
import { STATE_FORMATS, stateComparison } from "../dist/train/states.js";
import { train } from "../dist/train/train.js";

const CLI = fileURLToPath(new URL("../bin/simdopt-lab.js", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "simdopt-lab-states-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

test("each format trains the MLP to nearly float32's accuracy, on paths of its own", async () => {
  const runtime = await loadRuntime();
  const data = loadDigits({ train: 1500, test: 300 });
  const entries = stateComparison();
  expect(entries.map((e) => e.options)).toEqual([
    { lr: 0.001 },
    { lr: 0.001, state: "bfloat16" },
    { lr: 0.001, state: "8bit" },
    { lr: 0.001, state: "4bit" },
    { lr: 0.001, state: "fp8" },
  ]);
  // hidden 32: w1 holds 25,088 weights (98 blocks of 256), quantized by blockwise state; the rest stay float32.
  const results = entries.map((e) => train(runtime, data, e.optimizer, e.options, { epochs: 1, hiddenSize: 32 }));
  const [float32, bfloat16, eightBit, fourBit, fp8] = results.map((r) => r.testAccuracy.at(-1)!);
  expect(float32).toBeGreaterThan(0.6); // untrained: about 0.1
  expect(Math.abs(bfloat16 - float32)).toBeLessThan(0.05);
  expect(Math.abs(eightBit - float32)).toBeLessThan(0.05);
  // 4-bit and FP8 lag in this first epoch (their small second moments are stored too large, or as 0).
  expect(Math.abs(fourBit - float32)).toBeLessThan(0.1);
  expect(Math.abs(fp8 - float32)).toBeLessThan(0.1);
  // The state option reached the optimizer: the losses differ from float32's.
  for (const result of results.slice(1)) expect(result.trainLoss).not.toEqual(results[0].trainLoss);
  expect(() => stateComparison(["int4"])).toThrow(
    /unknown state format 'int4' \(known: float32, bfloat16, 8bit, 4bit, fp8\)/,
  );
  expect(() => stateComparison(["8bit", "8bit"])).toThrow(/state format '8bit' is named twice/);
});

async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("train --states writes its own curves and a table against float32; bad formats are refused by name", async () => {
  const dir = join(out, "run");
  const budget = ["--epochs", "0.5", "--train-size", "500", "--test-size", "100", "--hidden", "16"];
  const run = await lab("train", "--states", STATE_FORMATS.join(","), ...budget, "--out", dir);
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("against float32");
  expect(run.stdout).toMatch(
    /\| Adam, float32 state \| `\{"lr":0.001\}` \| [\d.]+% \| 0\.00 points \| [\d.]+% \| 0\.00 points \|/,
  );
  for (const file of ["train-states-accuracy.svg", "train-states-loss.svg", "train-states-results.json"])
    expect(existsSync(join(dir, file)), file).toBe(true);
  expect(existsSync(join(dir, "train-results.json"))).toBe(false); // the optimizers' files are not touched
  expect(readFileSync(join(dir, "train-states-accuracy.svg"), "utf8")).toMatch(
    />Adam(&#39;|')s state: held-out accuracy</,
  );
  const { rows } = JSON.parse(readFileSync(join(dir, "train-states-results.json"), "utf8"));
  expect(rows.map((r: { label: string }) => r.label)).toEqual([
    "Adam, float32 state",
    "Adam, bfloat16 state",
    "Adam, 8bit state",
    "Adam, 4bit state",
    "Adam, fp8 state",
  ]);
  const cases: [string[], RegExp][] = [
    [
      ["train", "--states", "int4"],
      /--states takes each of float32, bfloat16, 8bit, 4bit, fp8 at most once, got 'int4'/,
    ],
    [["train", "--states", "8bit,8bit"], /--states takes each of .* at most once, got '8bit,8bit'/],
    [
      ["train", "--states", "8bit", "--optimizers", "Adam"],
      /--states compares Adam's state formats: drop --optimizers/,
    ],
  ];
  const runs = await Promise.all(cases.map(([args]) => lab(...args, "--out", join(out, "bad"))));
  runs.forEach((r, k) => {
    expect(r.code, cases[k][0].join(" ")).toBe(1);
    expect(r.stderr).toMatch(cases[k][1]);
  });
  expect(existsSync(join(out, "bad"))).toBe(false);
});
