// One test per fault found by trying the package as a user and as an attacker would (the state
// dict's faults are in state-dict.test.ts, the conformance command's in conformance-cli.test.ts).
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  adamDefaults,
  AdamW,
  loadRuntime,
  Rprop,
  rpropDefaults,
  SGD,
  sgdDefaults,
  type Runtime,
} from "../dist/index.js";
import { runProcess } from "../../../scripts/run-process.mjs";
import { memoryUse, randomArray, setQuarantine } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

/** Makes the runtime's allocations fail from the `n`th on (0: the first), for `body`. */
function failingFrom<T>(rt: Runtime, n: number, body: () => T): T {
  const internal = rt as unknown as { alloc(bytes: number): number };
  const alloc = internal.alloc;
  let calls = 0;
  internal.alloc = (bytes: number) => {
    if (calls++ >= n) throw new RangeError(`simdopt: cannot allocate ${bytes} bytes (test)`);
    return alloc.call(rt, bytes);
  };
  try {
    return body();
  } finally {
    internal.alloc = alloc;
  }
}

describe("memory", () => {
  test("a failing rt.parameter gives back what it took", () => {
    for (let n = 0; n < 2; n++) {
      const before = memoryUse(runtime).liveBytes;
      expect(() => failingFrom(runtime, n, () => runtime.parameter(1000))).toThrow(/cannot allocate/);
      expect(memoryUse(runtime).liveBytes).toBe(before);
    }
  });

  test("a failing optimizer constructor gives back what it took, at every allocation", () => {
    const params = [runtime.parameter(100), runtime.parameter(new Float64Array(7)), runtime.parameter(33)];
    const groups = [{ params: [params[0], params[1]] }, { params: [params[2]], lr: 0.1 }];
    const before = memoryUse(runtime).liveBytes;
    let n = 0;
    for (; ; n++) {
      try {
        failingFrom(runtime, n, () => new Adam(groups, { amsgrad: true })).dispose();
        break; // enough allocations to succeed
      } catch (error) {
        expect(String(error)).toMatch(/cannot allocate/);
        expect(memoryUse(runtime).liveBytes).toBe(before);
      }
    }
    expect(n).toBeGreaterThan(3); // several allocations were made to fail in turn
    expect(memoryUse(runtime).liveBytes).toBe(before);
  });

  test("a failing addParamGroup gives back what it took and leaves the optimizer as it was", () => {
    const opt = new Adam([runtime.parameter(4)]);
    const extra = runtime.parameter(50);
    const before = memoryUse(runtime).liveBytes;
    expect(() => failingFrom(runtime, 1, () => opt.addParamGroup({ params: [extra] }))).toThrow(/cannot allocate/);
    expect(memoryUse(runtime).liveBytes).toBe(before);
    expect(opt.paramGroups.length).toBe(1);
  });

  test("memory of dropped, undisposed parameters and optimizers is reclaimed by the garbage collector", async () => {
    const script = `
      import { loadRuntime, Adam } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      const rt = await loadRuntime();
      rt.quarantineBytes = 0;
      const live = () => rt.memoryUse.liveBytes;
      const start = live();
      (() => { for (let i = 0; i < 20; i++) new Adam([rt.parameter(10000)]); })();
      const held = live();
      for (let i = 0; i < 20 && live() > start; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ start, held, after: live() }));`;
    const { stdout, stderr } = await runProcess(process.execPath, ["--expose-gc", "--input-type=module", "-e", script]);
    const { start, held, after } = JSON.parse(stdout || stderr);
    expect(held).toBeGreaterThan(start + 20 * 3 * 40000);
    expect(after).toBe(start);
  });

  test("a view kept after dispose() cannot silently change the parameter that reuses the block", () => {
    const rt = runtime;
    const a = rt.parameter([1, 2, 3], { name: "a" });
    const stale = a.data;
    a.dispose();
    expect(Number.isNaN(stale[0])).toBe(true); // quarantined blocks read NaN
    const b = rt.parameter([7, 8, 9], { name: "b" });
    expect(b.dataPtr).not.toBe(a.dataPtr);
    stale[1] = 42; // a write through the stale view lands in quarantine, not in b
    expect(Array.from(b.data)).toEqual([7, 8, 9]);
    // When the block leaves quarantine, the write is detected instead of being silently reused.
    setQuarantine(rt, 0);
    expect(() => rt.parameter(1).dispose()).toThrow(/parameter 'a' was written through a view kept after dispose\(\)/);
    setQuarantine(rt, 32 << 20);
  });
});

describe("validation and frozen defaults", () => {
  test.each([
    [[-1, -2], /Rprop: invalid stepSizes: \[-1, -2\]/],
    [[50, 1e-6], /Rprop: invalid stepSizes: \[50, 0.000001\]/],
    [[0, 0], /Rprop: invalid stepSizes: \[0, 0\]/],
  ])("Rprop's stepSizes %j are refused", (stepSizes, message) => {
    expect(() => new Rprop([runtime.parameter(2)], { stepSizes: stepSizes as [number, number] })).toThrow(message);
  });

  test("exported defaults are frozen: changing adamDefaults.lr throws and later Adams keep torch's default", () => {
    expect(() => ((adamDefaults as { lr: number }).lr = 0.5)).toThrow(TypeError);
    expect(() => ((adamDefaults.betas as number[])[0] = 0.5)).toThrow(TypeError);
    expect(() => ((rpropDefaults.stepSizes as number[])[1] = 1)).toThrow(TypeError);
    expect(Object.isFrozen(sgdDefaults)).toBe(true);
    expect(new Adam([runtime.parameter(1)]).paramGroups[0].lr).toBe(1e-3);
  });

  test("rt.parameter of strings throws naming the value, and takes no memory", () => {
    const before = memoryUse(runtime).liveBytes;
    expect(() => runtime.parameter(["a", "b"] as never)).toThrow(
      /values for parameter \(2 × float32\) has "a" at index 0, not a number/,
    );
    expect(() => runtime.parameter([1, 2n] as never, { name: "w" })).toThrow(
      /values for parameter 'w' has 2n at index 1, not a number/,
    );
    expect(() => runtime.parameter(new BigInt64Array(2) as never)).toThrow(
      /must be an array of numbers, got a BigInt64Array/,
    );
    expect(memoryUse(runtime).liveBytes).toBe(before);
  });

  test("setGroupOptions(null) names the optimizer and the value", () => {
    const opt = new SGD([runtime.parameter(1)], { lr: 0.1 });
    expect(() => opt.setGroupOptions(null as never)).toThrow(
      /SGD: setGroupOptions needs an object of options, got null/,
    );
    expect(() => opt.setGroupOptions({ lr: 0.2 }, 3)).toThrow(/SGD: no parameter group 3 \(there are 1\)/);
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });
});

describe("torch habits", () => {
  test("opt.paramGroups[0].options.lr = 0.5 and opt.paramGroups[0].lr = 0.5 set the lr, validated", () => {
    const w = runtime.parameter([1, 2]).setGrad([1, 1]);
    const opt = new SGD([w], { lr: 0.1 });
    opt.paramGroups[0].options.lr = 0.5;
    expect(opt.paramGroups[0].lr).toBe(0.5);
    opt.step();
    expect(Array.from(w.data)).toEqual([0.5, 1.5]);
    opt.paramGroups[0].lr = 0.25;
    expect(opt.paramGroups[0].options.lr).toBe(0.25);
    expect(() => (opt.paramGroups[0].lr = -1)).toThrow(/SGD: invalid lr: -1/);
    expect(() => ((opt.paramGroups[0] as unknown as Record<string, number>).lrr = 1)).toThrow(TypeError); // no silent typo
    expect(opt.paramGroups[0].lr).toBe(0.25);
  });

  test("step(closure) calls the closure and returns its loss, as torch does", () => {
    const w = runtime.parameter([3]);
    const opt = new SGD([w], { lr: 0.1 });
    let calls = 0;
    const loss = opt.step(() => {
      calls++;
      w.setGrad([2 * w.data[0]]); // f(w) = w², ∇ = 2w
      return w.data[0] ** 2;
    });
    expect(calls).toBe(1);
    expect(loss).toBe(9);
    expect(w.data[0]).toBe(Math.fround(3 - 0.1 * 6));
    expect(opt.lastStep).toEqual({ applied: true });
    expect(() => opt.step(async () => 1)).toThrow(/the closure returned a Promise/);
    expect(() => opt.step(5 as never)).toThrow(/SGD: step\(closure\): the closure must be a function, got 5/);
  });

  test("addParamGroup adds a group with the constructor's options as defaults, stepped with the rest", () => {
    const a = runtime.parameter([1]).setGrad([1]);
    const b = runtime.parameter([1]).setGrad([1]);
    const opt = new AdamW([a], { lr: 0.1, weightDecay: 0 });
    const groups = opt.paramGroups;
    opt.addParamGroup({ params: [b], lr: 0.2 });
    expect(groups.length).toBe(1); // a snapshot of the list; the views in it stay live
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.2]);
    expect(opt.paramGroups[1].weightDecay).toBe(0);
    opt.step();
    expect(a.data[0]).toBeCloseTo(0.9, 6);
    expect(b.data[0]).toBeCloseTo(0.8, 6);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/AdamW: some parameters appear more than once/);
    expect(() => opt.addParamGroup({ params: [runtime.parameter(1)], lr: -1 })).toThrow(/AdamW: invalid lr: -1/);
    expect(() => opt.addParamGroup(null as never)).toThrow(/AdamW: addParamGroup needs a group/);
    expect(opt.paramGroups.length).toBe(2);
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    expect(saved.paramGroups.map((g: { params: string[] }) => g.params)).toEqual([["0"], ["1"]]);
  });

  test("a state dict keeps the options a group was given through its live view", () => {
    const opt = new Adam([runtime.parameter(randomArray(3, 1)).setGrad([1, 2, 3])], { lr: 0.1 });
    opt.paramGroups[0].betas = [0.8, 0.9];
    opt.step();
    expect(opt.stateDict().paramGroups[0].betas).toEqual([0.8, 0.9]);
  });
});
