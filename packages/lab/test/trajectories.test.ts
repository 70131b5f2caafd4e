// The numbers behind the pictures: the lab's paths (simdopt's public API, as the pictures run them)
// against the golden trajectories computed with torch.optim, and the classic set on every function.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromTorchOptions, loadRuntime, type OptimizerName, type Runtime } from "simdopt";
import { beforeAll, describe, expect, test } from "vitest";
import {
  CLASSIC_LABELS,
  classicSet,
  compare,
  contourPlot,
  LAB_FUNCTION_NAMES,
  labFunction,
  runPath,
  type LabOptimizer,
} from "../dist/index.js";

// The repository's copy of the golden vectors (simdopt's tests check it against ../shared/golden).
const GOLDEN = process.env.SIMDOPT_GOLDEN ?? fileURLToPath(new URL("../../../golden/", import.meta.url));

interface GoldenTrajectory {
  name: string;
  function: string;
  start: [number, number];
  optimizer: OptimizerName;
  options: Record<string, unknown>;
  steps: number;
  expected_path: [number, number][];
}

const cases = (JSON.parse(readFileSync(`${GOLDEN}/trajectories.json`, "utf8")) as { cases: GoldenTrajectory[] }).cases;

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

/** |a − e| ≤ 1e-9 · max(1, |e|) for every coordinate (the golden files' trajectory tolerance); returns the worst ratio. */
function worst(actual: [number, number][], expected: [number, number][]): number {
  expect(actual.length).toBe(expected.length);
  let ratio = 0;
  actual.forEach((point, k) =>
    point.forEach((v, d) => {
      ratio = Math.max(ratio, Math.abs(v - expected[k][d]) / (1e-9 * Math.max(1, Math.abs(expected[k][d]))));
    }),
  );
  return ratio;
}

test("the golden file has trajectory cases", () => {
  expect(cases.length).toBeGreaterThan(20);
});

describe("golden trajectories", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const path = runPath(runtime, labFunction(c.function), c.optimizer, fromTorchOptions(c.options), c.start, c.steps);
    expect(path.diverged).toBe(false);
    expect(worst(path.points, c.expected_path)).toBeLessThanOrEqual(1);
  });

  test("the picture pipeline (compare → contourPlot) draws the golden numbers", () => {
    for (const c of cases.filter((k) => k.function === "wobbly")) {
      const fn = labFunction(c.function);
      const entry: LabOptimizer = { label: c.optimizer, optimizer: c.optimizer, options: fromTorchOptions(c.options) };
      const [drawn] = compare(runtime, fn, [entry], c.start, c.steps);
      expect(worst(drawn.path.points, c.expected_path)).toBeLessThanOrEqual(1);
      const svg = contourPlot(fn, [drawn]);
      expect(svg).toContain(`<circle cx=`);
    }
  });
});

test.each(LAB_FUNCTION_NAMES)("%s: the classic set's defaults stay finite and head downhill", (name) => {
  const fn = labFunction(name);
  const paths = compare(runtime, fn, classicSet(fn));
  expect(paths.map((p) => p.label.split(" ")[0])).toEqual([...CLASSIC_LABELS]);
  for (const { label, path } of paths) {
    expect(path.diverged, label).toBe(false);
    expect(path.points).toHaveLength(fn.steps + 1);
    const lowest = Math.min(...path.points.map(([x, y]) => fn.value(x, y)));
    expect(lowest, label).toBeLessThan(fn.value(...fn.start));
  }
});

test("a path that overflows stops at its last finite point and says so", () => {
  const fn = labFunction("quadratic_a");
  const path = runPath(runtime, fn, "sgd", { lr: 10 }, fn.start, 1000);
  expect(path.diverged).toBe(true);
  expect(path.points.length).toBeLessThan(1000);
  expect(path.points.flat().every(Number.isFinite)).toBe(true);
  expect(contourPlot(fn, [{ label: "SGD", colour: "#000", path }])).toContain("SGD (diverged)");
});

test("bad input is refused with the argument and the value", () => {
  const fn = labFunction("wobbly");
  expect(() => runPath(runtime, fn, "sgd", { lr: 0.1 }, [0, 0], -1)).toThrow(
    /steps must be a whole number ≥ 0, got -1/,
  );
  expect(() => runPath(runtime, fn, "sgd", { lr: 0.1 }, [NaN, 0], 3)).toThrow(
    /start must be two finite numbers, got NaN, 0/,
  );
  expect(() => classicSet(fn, {}, ["Adam", "Lion"])).toThrow(/unknown optimizer 'Lion'/);
});
