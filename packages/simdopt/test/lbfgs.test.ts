// L-BFGS (torch.optim.LBFGS): the frontier golden cases (paths, losses, and exact counts of closure
// calls and iterations), with and without the strong-Wolfe line search, and its option checks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { LBFGS, loadRuntime, runLBFGSCase, type LBFGSCase, type Runtime } from "../dist/index.js";
import { sharedGoldenFolder } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime({ binary: "reference" });
});

const frontier = sharedGoldenFolder("frontier", "L-BFGS golden cases");
const cases = frontier
  ? (JSON.parse(readFileSync(join(frontier, "lbfgs.json"), "utf8")) as { cases: LBFGSCase[] }).cases
  : [];

describe.runIf(frontier !== undefined)("frontier lbfgs.json", () => {
  test("the file holds 23 cases, 10 with strong_wolfe", () => {
    expect(cases.length).toBe(23);
    expect(cases.filter((c) => c.options.line_search_fn === "strong_wolfe").length).toBe(10);
  });
  test.each(cases.map((c) => ({ c, label: c.name })))("$label", ({ c }) => {
    const result = runLBFGSCase(runtime, c);
    expect(result.error).toBeUndefined();
    expect(result.maxError).toBeLessThanOrEqual(result.tolerance);
  });
});

describe("LBFGS", () => {
  test("comes close to the minimum of a quadratic in one step and returns the loss at the start", () => {
    const w = runtime.parameter([3, -4], { dtype: "float64" });
    const opt = new LBFGS([w], { lineSearchFn: "strong_wolfe" });
    const closure = () => {
      w.setGrad([2 * w.data[0], 8 * w.data[1]]);
      return w.data[0] ** 2 + 4 * w.data[1] ** 2;
    };
    expect(opt.step(closure)).toBe(73);
    expect(Math.abs(w.data[0])).toBeLessThan(1e-5);
    expect(Math.abs(w.data[1])).toBeLessThan(1e-5);
    expect(opt.lastStep.evaluations).toBeGreaterThan(1);
    expect(opt.iterations).toBe(opt.lastStep.iterations);
    w.dispose();
  });

  test("bad options and closures are refused by name", () => {
    const w = runtime.parameter([1]);
    expect(() => new LBFGS([w], { maxIter: 0 })).toThrow(/LBFGS: invalid maxIter: 0/);
    expect(() => new LBFGS([w], { lineSearchFn: "armijo" as never })).toThrow(/strong_wolfe/);
    expect(() => new LBFGS([w], { momentum: 0.9 } as never)).toThrow(/unknown option 'momentum'/);
    const opt = new LBFGS([w]);
    expect(() => opt.step((() => "1") as never)).toThrow(/must return the loss as a number/);
    opt.dispose();
    expect(() => opt.step(() => 0)).toThrow(/disposed/);
    w.dispose();
  });
});
