// The lifecycle of optimizers and parameters: an optimizer is live, busy in a step (its closure
// included) or disposed, and no public method reaches freed memory.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  ASGD,
  KerasAdam,
  loadRuntime,
  loadSafetensors,
  type Parameter,
  saveSafetensors,
  SGD,
  type Runtime,
} from "../dist/index.js";
import { setQuarantine } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime({ threads: 1 });
});

/** A runtime whose disposed blocks are freed (and so reused) at once: use after free shows at once. */
async function reusingRuntime(): Promise<Runtime> {
  const rt = await loadRuntime({ threads: 1 });
  setQuarantine(rt, 0);
  return rt;
}

describe("dispose() during step()", () => {
  test("disposing the optimizer inside its closure is refused, and the step changes nothing", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    p.setGrad([1, 1, 1]);
    expect(() => opt.step(() => opt.dispose())).toThrow(/Adam: dispose\(\) was called during step\(\)/);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    expect(opt.stepCount()).toBe(0);
    // The refusal left the optimizer live: it steps and disposes as usual afterwards.
    opt.step();
    expect(opt.stepCount()).toBe(1);
    opt.dispose();
    expect(() => opt.step()).toThrow(/Adam: the optimizer was disposed/);
  });

  test("a refused dispose() caught inside the closure leaves the step to run on live memory", async () => {
    const rt = await reusingRuntime();
    const p = rt.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    p.setGrad([1, 1, 1]);
    let other: { q: Parameter; opt: Adam; state: string } | undefined;
    opt.step(() => {
      expect(() => opt.dispose()).toThrow(/during step/);
      // Memory taken now must not be the optimizer's, which stays allocated.
      const q = rt.parameter([5, 6, 7]);
      const qOpt = new Adam([q]);
      q.setGrad([1, 1, 1]);
      qOpt.step();
      other = { q, opt: qOpt, state: JSON.stringify(qOpt.stateDict()) };
    });
    expect(opt.stepCount()).toBe(1);
    expect(JSON.stringify(other!.opt.stateDict())).toBe(other!.state);
  });

  test("disposing a parameter inside the closure refuses the step before any kernel runs", async () => {
    const rt = await reusingRuntime();
    const a = rt.parameter([1, 2, 3], { name: "a" });
    const b = rt.parameter([4, 5, 6], { name: "b" });
    const opt = new Adam([a, b], { lr: 0.1 });
    b.setGrad([1, 1, 1]);
    let reused: Parameter | undefined;
    expect(() =>
      opt.step(() => {
        a.dispose();
        reused = rt.parameter([7, 8, 9]); // takes a's freed blocks
        return 0;
      }),
    ).toThrow(/Adam: a parameter of this optimizer was disposed/);
    expect(reused!.dataPtr === a.dataPtr || reused!.gradPtr === a.dataPtr).toBe(true);
    expect(Array.from(reused!.data)).toEqual([7, 8, 9]);
    expect(Array.from(b.data)).toEqual([4, 5, 6]);
    expect(opt.stepCount()).toBe(0);
  });

  test("the same holds for a Keras optimizer, which clips after the closure", async () => {
    const rt = await reusingRuntime();
    const a = rt.parameter([1, 2, 3]);
    const opt = new KerasAdam([a], { clipnorm: 1 });
    a.setGrad([3, 4, 0]);
    let reused: Parameter | undefined;
    expect(() =>
      opt.step(() => {
        a.dispose();
        reused = rt.parameter([3, 4, 0]); // its values lie where a's gradient was
      }),
    ).toThrow(/a parameter of this optimizer was disposed/);
    expect(Array.from(reused!.data)).toEqual([3, 4, 0]);
  });

  test("step() from inside its own closure is refused", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new SGD([p], { lr: 0.1 });
    p.setGrad([1, 1, 1]);
    expect(() => opt.step(() => opt.step())).toThrow(/SGD: step\(\) was called during step\(\)/);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    opt.step();
    expect(opt.stepCount()).toBe(1);
  });

  test("a closure that throws leaves the optimizer live", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new SGD([p], { lr: 0.1 });
    expect(() =>
      opt.step(() => {
        throw new Error("loss failed");
      }),
    ).toThrow("loss failed");
    opt.dispose();
    expect(() => opt.stateDict()).toThrow(/disposed/);
  });
});

describe("dispose() that reports a stale write", () => {
  test("still disposes the parameter, and its optimizer refuses to step on the freed blocks", async () => {
    const rt = await reusingRuntime();
    setQuarantine(rt, 32 << 20);
    const x = rt.parameter([1, 2, 3], { name: "x" });
    const stale = x.data;
    x.dispose();
    stale[0] = 42; // a write through a view kept after dispose()
    const a = rt.parameter(1000, { name: "a" });
    const opt = new Adam([a]);
    opt.step(); // the optimizer has checked its parameters since the last disposal
    setQuarantine(rt, 0);
    expect(() => a.dispose()).toThrow(/parameter 'x' was written through a view kept after dispose\(\)/);
    expect(a.isDisposed).toBe(true);
    const fresh = rt.parameter(1000).set(new Float32Array(1000).fill(1)); // takes a's freed blocks
    expect(() => opt.step()).toThrow(/Adam: a parameter of this optimizer was disposed/);
    expect(fresh.data.every((v) => v === 1)).toBe(true);
  });

  test("an optimizer's dispose() marks it disposed before anything that can throw", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p]);
    const internal = runtime as unknown as { free(address: number): void };
    const free = internal.free;
    internal.free = () => {
      throw new Error("free failed (test)");
    };
    try {
      expect(() => opt.dispose()).toThrow("free failed (test)");
    } finally {
      internal.free = free;
    }
    expect(() => opt.step()).toThrow(/the optimizer was disposed/);
  });
});

describe("a disposed optimizer reads no memory", () => {
  test("saveSafetensors, loadSafetensors, stateDict, loadStateDict and ASGD's averaged refuse", () => {
    const p = runtime.parameter([1, 2, 3], { name: "p" });
    const opt = new ASGD([p]);
    p.setGrad([1, 1, 1]);
    opt.step();
    const file = saveSafetensors(opt);
    const dict = opt.stateDict();
    opt.dispose();
    expect(() => saveSafetensors(opt)).toThrow(/ASGD: the optimizer was disposed/);
    expect(() => loadSafetensors(opt, file)).toThrow(/ASGD: the optimizer was disposed/);
    expect(() => opt.stateDict()).toThrow(/ASGD: the optimizer was disposed/);
    expect(() => opt.loadStateDict(dict)).toThrow(/ASGD: the optimizer was disposed/);
    expect(() => opt.averaged(p)).toThrow(/ASGD: the optimizer was disposed/);
    expect(() => opt.zeroGrad()).toThrow(/ASGD: the optimizer was disposed/);
  });

  test("so do they when one of its parameters was disposed", () => {
    const p = runtime.parameter([1, 2, 3], { name: "p" });
    const opt = new Adam([p]);
    p.dispose();
    expect(() => saveSafetensors(opt)).toThrow(/Adam: a parameter of this optimizer was disposed/);
  });
});
