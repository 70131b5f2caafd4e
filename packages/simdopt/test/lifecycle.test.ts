// The lifecycle of optimizers and parameters: an optimizer is live, busy in a step (its closure
// included) or disposed, and no public method reaches freed memory; the optimizer owns copies of
// the arrays and groups it was given; only real Parameters are accepted.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  ASGD,
  clipGradNorm,
  KerasAdam,
  loadRuntime,
  loadSafetensors,
  Parameter,
  saveSafetensors,
  SGD,
  type Runtime,
} from "../dist/index.js";
import { memoryUse, setQuarantine } from "./helpers.js";

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

describe("code of the caller that runs inside a call", () => {
  test("a state dict whose getter disposes the optimizer cannot make loadStateDict write freed memory", async () => {
    const rt = await reusingRuntime();
    const p = rt.parameter(64);
    const opt = new Adam([p]);
    p.grad.fill(1);
    opt.step();
    const dict = opt.stateDict();
    let reused: Parameter | undefined;
    const hostile = {
      ...dict,
      get state() {
        opt.dispose();
        reused = rt.parameter(new Float32Array(256).fill(7)); // takes the freed state blocks
        return dict.state;
      },
    };
    expect(() => opt.loadStateDict(hostile)).toThrow(/Adam: /);
    expect(reused!.data.every((v) => v === 7)).toBe(true);
  });

  test("a group whose getter would dispose the optimizer is refused before the getter runs", () => {
    const [a, b] = [runtime.parameter(8), runtime.parameter(8)];
    const opt = new Adam([a]);
    const before = memoryUse(runtime).liveBytes;
    let called = false;
    const hostile = {
      params: [b],
      get lr() {
        called = true;
        opt.dispose();
        return 0.1;
      },
    };
    expect(() => opt.addParamGroup(hostile)).toThrow(/Adam: option 'lr' is a getter/);
    expect(called).toBe(false);
    expect(memoryUse(runtime).liveBytes).toBe(before); // nothing allocated, nothing freed
    expect(opt.paramGroups).toHaveLength(1);
    opt.step(); // still usable
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

describe("the optimizer owns copies of what it was given", () => {
  test("changing the params array or a group object afterwards changes nothing", () => {
    const [a, b, c] = [1, 2, 3].map((x) => runtime.parameter([x], { name: `copy${x}` }));
    const list: Parameter[] = [a, b];
    const group = { params: [c], lr: 0.5 };
    const opt = new SGD([{ params: list }, group], { lr: 0.1 });
    list.pop();
    list.push(undefined as unknown as Parameter);
    group.params.length = 0;
    group.lr = 7;
    expect(opt.paramGroups.map((g) => g.params.length)).toEqual([2, 1]);
    expect(opt.paramGroups[1].lr).toBe(0.5);
    for (const p of [a, b, c]) p.setGrad([1]);
    opt.step();
    expect(a.data[0]).toBeCloseTo(0.9, 6);
    expect(b.data[0]).toBeCloseTo(1.9, 6);
    expect(c.data[0]).toBeCloseTo(2.5, 6);
    expect(opt.stateDict().paramGroups.map((g) => g.params.length)).toEqual([2, 1]);

    const flat = [a, b];
    const plain = new SGD(flat, { lr: 0.1 });
    flat.reverse();
    flat.push(c);
    expect(plain.paramGroups[0].params).toEqual([a, b]);

    const added = [c];
    const other = new SGD([a], { lr: 0.1 });
    other.addParamGroup({ params: added });
    added.push(b);
    expect(other.paramGroups[1].params).toEqual([c]);
  });

  test("a sparse array is refused, naming the hole", () => {
    const [a, b]: Parameter[] = [runtime.parameter(2), runtime.parameter(2)];
    type Groups = { params: Parameter[] }[];
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(() => new Adam([a, , b] as Parameter[])).toThrow(/Adam: params\[1\] is a hole/);
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    const holeInGroup = [{ params: [a, , b] }] as Groups;
    expect(() => new Adam(holeInGroup)).toThrow(/Adam: params\[1\] of parameter group 0 is a hole/);
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    const holeBetweenGroups = [{ params: [a] }, , { params: [b] }] as Groups;
    expect(() => new Adam(holeBetweenGroups)).toThrow(/Adam: params\[1\] is a hole/);
    const opt = new Adam([a]);
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(() => opt.addParamGroup({ params: [b, ,] as Parameter[] })).toThrow(
      /Adam: params\[1\] of parameter group 1 is a hole/,
    );
    expect(opt.paramGroups).toHaveLength(1);
  });

  test("an array of length 2^32 - 1 is refused before a single element is read", () => {
    const huge: Parameter[] = [];
    huge.length = 2 ** 32 - 1;
    let reads = 0;
    const counted = new Proxy(huge, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key) && ++reads > 100) throw new Error("iterated (test)");
        return Reflect.get(target, key, receiver);
      },
      has(target, key) {
        if (typeof key === "string" && /^\d+$/.test(key) && ++reads > 100) throw new Error("iterated (test)");
        return Reflect.has(target, key);
      },
    });
    expect(() => new Adam(counted)).toThrow(/Adam: params has 4294967295 entries/);
    expect(() => new Adam([{ params: counted }])).toThrow(/Adam: params of parameter group 0 has 4294967295 entries/);
    expect(() => clipGradNorm(counted, 1)).toThrow(/clipGradNorm: params has 4294967295 entries/);
    expect(reads).toBe(0);
  });

  test("each element of the params array is read once", () => {
    const [a, b] = [runtime.parameter([1]), runtime.parameter([2])];
    const reads: string[] = [];
    const counted = new Proxy([a, b], {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads.push(key);
        return Reflect.get(target, key, receiver);
      },
    });
    const opt = new SGD(counted, { lr: 0.1 });
    expect(reads).toEqual(["0", "1"]);
    expect(opt.paramGroups[0].params).toEqual([a, b]);
  });
});

describe("only real Parameters are accepted", () => {
  test("a forged Parameter is refused by constructors, addParamGroup and the clipping functions", () => {
    const forged = Object.create(Parameter.prototype) as Parameter;
    const real = runtime.parameter([1, 2]);
    expect(() => new Adam([forged])).toThrow(/Adam: parameter 0 of group 0 is not a simdopt Parameter/);
    expect(() => new Adam([real, forged])).toThrow(/Adam: parameter 1 of group 0 is not a simdopt Parameter/);
    expect(() => new Adam([{ params: [forged] }])).toThrow(/Adam: parameter 0 of group 0 is not a simdopt Parameter/);
    const opt = new Adam([real]);
    expect(() => opt.addParamGroup({ params: [forged] })).toThrow(/parameter 0 of group 1 is not a simdopt Parameter/);
    expect(() => clipGradNorm(forged, 1)).toThrow(/clipGradNorm: params must be a parameter/);
    expect(() => clipGradNorm([forged], 1)).toThrow(/clipGradNorm: params\[0\] is not a simdopt Parameter/);
    // A look-alike with Parameter's fields and prototype is no better.
    const lookalike = Object.assign(Object.create(Parameter.prototype), {
      runtime,
      length: 2,
      dtype: "float32",
      dataPtr: 0,
      gradPtr: 64,
      shape: [2],
    }) as Parameter;
    expect(() => new SGD([lookalike], { lr: 0.1 })).toThrow(/is not a simdopt Parameter/);
  });

  test("a Parameter over a forged runtime cannot be made", () => {
    const fake = { alloc: () => 0, free: () => {}, retire: () => {}, memory: runtime.memory };
    expect(() => new Parameter(fake as unknown as Runtime, 4, "float32")).toThrow(
      /create parameters with runtime.parameter\(\)/,
    );
  });
});
