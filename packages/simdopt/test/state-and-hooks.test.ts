// Per-parameter state (torch's `optimizer.state[p]`): read as copies, written through setState,
// checked as loadStateDict checks; and step hooks (torch's register_step_pre_hook / post_hook).
import { beforeAll, describe, expect, test } from "vitest";
import { Adam, loadRuntime, NAdam, type Runtime, SGD, type StepReport } from "../dist/index.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime({ threads: 1 });
});

describe("optimizer.state(param)", () => {
  test("step count, scalar state and buffers by camelCase name, as copies", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new NAdam([p], { lr: 0.1 });
    expect(opt.state(p)).toEqual({ step: 0 });
    p.setGrad([0.5, -1, 2]);
    opt.step();
    const state = opt.state(p);
    expect(Object.keys(state).sort()).toEqual(["expAvg", "expAvgSq", "muProduct", "step"]);
    expect(state.step).toBe(1);
    const dict = opt.stateDict().state["0"] as Record<string, { data: number[] } | number>;
    expect(Array.from(state.expAvg as Float32Array)).toEqual((dict.exp_avg as { data: number[] }).data);
    expect(state.muProduct).toBe(dict.mu_product);
    // A copy: writing it changes nothing, and the object itself is frozen.
    (state.expAvg as Float32Array).fill(7);
    expect(Array.from(opt.state(p).expAvg as Float32Array)).toEqual((dict.exp_avg as { data: number[] }).data);
    expect(Object.isFrozen(state)).toBe(true);
    opt.dispose();
    p.dispose();
  });

  test("a parameter of another optimizer is refused by name", () => {
    const [p, q] = [runtime.parameter([1]), runtime.parameter([2], { name: "w" })];
    const opt = new Adam([p]);
    expect(() => opt.state(q)).toThrow(/Adam: state: parameter 'w' is not a parameter of this optimizer/);
    expect(() => opt.setState(q, { step: 1 })).toThrow(/Adam: setState: parameter 'w' is not a parameter/);
    opt.dispose();
    for (const x of [p, q]) x.dispose();
  });
});

describe("optimizer.setState(param, values)", () => {
  test("replaces the given buffers, keeps the rest, and the next step uses them", () => {
    const p = runtime.parameter([1, 2, 3]);
    const q = runtime.parameter([1, 2, 3]);
    const [a, b] = [new SGD([p], { lr: 0.1, momentum: 0.9 }), new SGD([q], { lr: 0.1, momentum: 0.9 })];
    for (const [param, opt] of [
      [p, a],
      [q, b],
    ] as const) {
      param.setGrad([1, 1, 1]);
      opt.step();
    }
    b.setState(q, { momentumBuffer: new Float32Array([5, 6, 7]) });
    expect(Array.from(b.state(q).momentumBuffer as Float32Array)).toEqual([5, 6, 7]);
    expect(b.state(q).step).toBe(1);
    // Against the same buffer reached through a checkpoint.
    const dict = a.stateDict();
    (dict.state["0"] as Record<string, unknown>).momentum_buffer = { dtype: "float32", data: [5, 6, 7] };
    a.loadStateDict(dict);
    for (const [param, opt] of [
      [p, a],
      [q, b],
    ] as const) {
      param.setGrad([0.5, 0.5, 0.5]);
      opt.step();
    }
    expect(Array.from(q.data)).toEqual(Array.from(p.data));
    for (const o of [a, b]) o.dispose();
    for (const x of [p, q]) x.dispose();
  });

  test("refusals name the fault and change nothing", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    p.setGrad([1, 2, 3]);
    opt.step();
    const before = JSON.stringify(opt.stateDict());
    expect(() => opt.setState(p, { expAvgSqq: [1, 2, 3] })).toThrow(
      /Adam: setState: unknown state 'expAvgSqq' \(this optimizer keeps step, expAvg, expAvgSq/,
    );
    expect(() => opt.setState(p, { expAvg: new Float32Array(2) })).toThrow(/exp_avg.*length|length.*exp_avg|2/);
    expect(() => opt.setState(p, { expAvgSq: new Float32Array([1, -1, 1]) })).toThrow(/exp_avg_sq/);
    expect(() => opt.setState(p, { step: -1 })).toThrow(/step must be a whole number/);
    expect(() => opt.setState(p, null as unknown as Record<string, unknown>)).toThrow(
      /setState: the state must be an object/,
    );
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    opt.dispose();
    p.dispose();
  });
});

describe("step hooks", () => {
  test("pre-hooks run before the closure, post-hooks after the kernels with the report, in order; remove() unregisters", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    const calls: string[] = [];
    const pre1 = opt.registerStepPreHook((o) => {
      expect(o).toBe(opt);
      calls.push(`pre1 ${p.data[0]}`);
    });
    opt.registerStepPreHook(() => calls.push("pre2"));
    let report: StepReport | undefined;
    const post = opt.registerStepPostHook((_, r) => {
      report = r;
      calls.push(`post ${p.data[0] !== 1}`);
    });
    p.setGrad([1, 1, 1]);
    const loss = opt.step(() => {
      calls.push("closure");
      return 42;
    });
    expect(loss).toBe(42);
    expect(calls).toEqual(["pre1 1", "pre2", "closure", "post true"]);
    expect(report).toBe(opt.lastStep);
    pre1.remove();
    pre1.remove(); // twice does nothing
    post.remove();
    calls.length = 0;
    opt.step();
    expect(calls).toEqual(["pre2"]);
    opt.dispose();
    p.dispose();
  });

  test("a pre-hook may change gradients (torch's use: scaling, logging) and the step sees them", () => {
    const [p, q] = [runtime.parameter([1, 2, 3]), runtime.parameter([1, 2, 3])];
    const [a, b] = [new Adam([p], { lr: 0.1 }), new Adam([q], { lr: 0.1 })];
    a.registerStepPreHook(() => p.grad.fill(0.25));
    p.setGrad([9, 9, 9]);
    q.setGrad([0.25, 0.25, 0.25]);
    a.step();
    b.step();
    expect(Array.from(p.data)).toEqual(Array.from(q.data));
    for (const o of [a, b]) o.dispose();
    for (const x of [p, q]) x.dispose();
  });

  test("step() and dispose() from a hook are refused; a throwing pre-hook stops the step before anything changes", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    p.setGrad([1, 1, 1]);
    const h = opt.registerStepPreHook(() => opt.dispose());
    expect(() => opt.step()).toThrow(/Adam: dispose\(\) was called during step\(\)/);
    h.remove();
    const g = opt.registerStepPreHook(() => opt.step());
    expect(() => opt.step()).toThrow(/step\(\) was called during step\(\)/);
    g.remove();
    opt.registerStepPreHook(() => {
      throw new Error("hook failed");
    });
    expect(() => opt.step()).toThrow(/hook failed/);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    expect(opt.stepCount()).toBe(0);
    expect(() => opt.registerStepPostHook(3 as unknown as () => void)).toThrow(
      /Adam: registerStepPostHook: the hook must be a function, got 3/,
    );
    opt.dispose();
    expect(() => opt.registerStepPreHook(() => {})).toThrow(/the optimizer was disposed/);
    p.dispose();
  });

  test("a hook that disposes a parameter is caught before the kernels read memory", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    opt.registerStepPreHook(() => p.dispose());
    expect(() => opt.step()).toThrow(/a parameter of this optimizer was disposed/);
    opt.dispose();
  });
});

describe("state-dict hooks", () => {
  test("stateDict's pre and post hooks, loadStateDict's pre and post hooks, as torch's; remove() unregisters", () => {
    const p = runtime.parameter([1, 2, 3], { name: "w" });
    const opt = new Adam([p], { lr: 0.1 });
    p.setGrad([1, 1, 1]);
    opt.step();
    const calls: string[] = [];
    opt.registerStateDictPreHook(() => calls.push("save pre"));
    const tag = opt.registerStateDictPostHook((_, dict) => {
      calls.push("save post");
      return { ...dict, paramGroups: dict.paramGroups.map((group) => ({ ...group, lr: 0.5 })) };
    });
    opt.registerStateDictPostHook(() => {
      calls.push("save post 2"); // returns nothing: the dict stays
    });
    const saved = opt.stateDict();
    expect(saved.paramGroups[0].lr).toBe(0.5);
    expect(calls).toEqual(["save pre", "save post", "save post 2"]);
    tag.remove();
    expect(opt.stateDict().paramGroups[0].lr).toBe(0.1);

    calls.length = 0;
    opt.registerLoadStateDictPreHook((o, dict) => {
      expect(o).toBe(opt);
      calls.push("load pre");
      return { ...dict, paramGroups: dict.paramGroups.map((group) => ({ ...group, lr: 0.25 })) };
    });
    opt.registerLoadStateDictPostHook(() => calls.push(`load post ${opt.paramGroups[0].lr}`));
    opt.loadStateDict(saved);
    expect(calls).toEqual(["load pre", "load post 0.25"]);
    // setState goes around the hooks.
    calls.length = 0;
    opt.setState(p, { step: 2 });
    expect(calls).toEqual([]);
    expect(opt.state(p).step).toBe(2);
    opt.dispose();
    p.dispose();
  });

  test("a load pre-hook that disposes the optimizer stops the load before it reads memory", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    const dict = opt.stateDict();
    opt.registerLoadStateDictPreHook(() => opt.dispose());
    expect(() => opt.loadStateDict(dict)).toThrow(/Adam: the optimizer was disposed/);
    p.dispose();
  });
});
