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

  test("step hooks run once per step around all the closure's calls; step() and dispose() from a hook are refused", () => {
    const w = runtime.parameter([3, -4], { dtype: "float64" });
    const opt = new LBFGS([w], { lineSearchFn: "strong_wolfe" });
    const calls: string[] = [];
    const closure = () => {
      calls.push("closure");
      w.setGrad([2 * w.data[0], 8 * w.data[1]]);
      return w.data[0] ** 2 + 4 * w.data[1] ** 2;
    };
    opt.registerStepPreHook((o) => calls.push(`pre ${o.iterations}`));
    const post = opt.registerStepPostHook((o, loss) => calls.push(`post ${loss} ${o.lastStep.evaluations}`));
    opt.step(closure);
    const evaluations = opt.lastStep.evaluations;
    expect(evaluations).toBeGreaterThan(1);
    expect(calls).toEqual(["pre 0", ...Array(evaluations).fill("closure"), `post 73 ${evaluations}`]);
    post.remove();
    const again = opt.registerStepPreHook((o) => o.step(closure));
    expect(() => opt.step(closure)).toThrow(/LBFGS: .*step\(\)/);
    again.remove();
    opt.registerStepPreHook((o) => o.dispose());
    expect(() => opt.step(closure)).toThrow(/LBFGS: .*dispose/);
    expect(() => opt.registerStepPreHook(42 as never)).toThrow(
      /LBFGS: registerStepPreHook: the hook must be a function, got 42/,
    );
    w.dispose();
  });

  test("a checkpoint restores the history: the next steps are the same, and a bad one changes nothing", () => {
    const [a, b] = [
      runtime.parameter([-1.5, 2], { dtype: "float64" }),
      runtime.parameter([-1.5, 2], { dtype: "float64" }),
    ];
    const rosenbrock = (w: typeof a) => () => {
      const [x, y] = w.data;
      w.setGrad([-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)]);
      return 100 * (y - x * x) ** 2 + (1 - x) ** 2;
    };
    const first = new LBFGS([a], { maxIter: 3, historySize: 2, lineSearchFn: "strong_wolfe" });
    for (let step = 0; step < 3; step++) first.step(rosenbrock(a));
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    expect(saved.state.old_dirs.length).toBe(2);
    b.data.set(a.data);
    const second = new LBFGS([b]);
    const bad = { ...saved, state: { ...saved.state, ro: [1] } };
    expect(() => second.loadStateDict(bad)).toThrow(/LBFGS: cannot load state: .*as many entries/);
    expect(second.iterations).toBe(0);
    expect(second.options.historySize).toBe(100);
    second.loadStateDict(saved);
    expect(second.options).toEqual(first.options);
    for (let step = 0; step < 2; step++) {
      expect(second.step(rosenbrock(b))).toBe(first.step(rosenbrock(a)));
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
    }
    expect(second.evaluations).toBe(first.evaluations);
    first.dispose();
    second.dispose();
    a.dispose();
    b.dispose();
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
