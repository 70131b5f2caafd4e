import { describe, expect, it } from "vitest";

import { findCase } from "../src/cases.js";
import { gateIndices, makeData } from "../src/data.js";
import { checkGate, GateError, referenceAtGate, runGate, type GateSubject } from "../src/gate.js";
import type { Stepper } from "../src/impls/types.js";
import { createJsStepper } from "../src/impls/js.js";
import { createWasmStepper } from "../src/impls/wasm.js";

const subject = (over: Partial<GateSubject>): GateSubject => ({
  impl: "x",
  check: "exact",
  caseId: "adam",
  dtype: "float32",
  size: 1000,
  steps: 3,
  ...over,
});

/** Wraps a stepper and corrupts one value of its output. */
function corrupt(s: Stepper, index: number, by: (x: number) => number): Stepper {
  return {
    ...s,
    read: () => {
      const a = s.read();
      a[index] = by(a[index]);
      return a;
    },
  };
}

describe("correctness gate", () => {
  it("gate indices: prefix of up to 65536 and the last 4096", () => {
    expect(gateIndices(1000)).toEqual({ prefix: 1000, tailStart: 1000, count: 1000 });
    expect(gateIndices(100000)).toEqual({ prefix: 65536, tailStart: 100000 - 4096, count: 65536 + 4096 });
  });

  it("passes for simdopt wasm binaries (bit-exact) and js (tolerance), at a size with a tail", async () => {
    const size = 70001; // beyond the gate prefix, odd (SIMD remainder)
    const c = findCase("adam");
    const data = makeData(size, "float32");
    const expected = await referenceAtGate(c, data);
    for (const binary of ["simd", "scalar"] as const) {
      const s = await createWasmStepper({ binary }, c, data); // the default, fused rounding, as the reference
      expect(() => runGate(subject({ impl: `wasm-${binary}`, size }), s, expected, data)).not.toThrow();
    }
    const js = createJsStepper(c, data);
    expect(() => runGate(subject({ impl: "js", check: "tolerance", size }), js, expected, data)).not.toThrow();
  });

  it("checks fused-rounding binaries against a fused reference, and would catch a mix-up", async () => {
    const c = findCase("adam");
    const data = makeData(4099, "float32");
    const fused = await createWasmStepper({ binary: "simd", rounding: "fused" }, c, data);
    const run = (expected: Awaited<ReturnType<typeof referenceAtGate>>) =>
      runGate(subject({ impl: "wasm-simd", size: 4099 }), fused, expected, data);
    await expect(referenceAtGate(c, data, "fused").then(run)).resolves.toBeUndefined();
    const other = await createWasmStepper({ binary: "simd", rounding: "fused" }, c, data);
    const separate = await referenceAtGate(c, data, "separate");
    expect(() => runGate(subject({ impl: "wasm-simd", size: 4099 }), other, separate, data)).toThrow(GateError);
  });

  it("fails with a message naming impl, optimizer, size, index and values for a wrong result", async () => {
    const size = 70001;
    const c = findCase("momentum");
    const data = makeData(size, "float32");
    const expected = await referenceAtGate(c, data);
    // a wrong value in the tail: index size - 5
    const bad = corrupt(createJsStepper(c, data), size - 5, (x) => x + 1e-3);
    let error: unknown;
    try {
      runGate(subject({ impl: "js", check: "tolerance", caseId: "momentum", size }), bad, expected, data);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GateError);
    const msg = (error as Error).message;
    expect(msg).toContain("js");
    expect(msg).toContain("optimizer momentum");
    expect(msg).toContain(`size ${size} float32`);
    expect(msg).toContain(`index ${size - 5}`);
    expect(msg).toMatch(/got -?\d\.\d+, reference -?\d\.\d+/);
  });

  it("exact mode rejects a one-ulp difference that tolerance mode accepts", async () => {
    const c = findCase("adam");
    const data = makeData(256, "float32");
    const expected = await referenceAtGate(c, data);
    const s = await createWasmStepper({ binary: "simd" }, c, data);
    for (let k = 0; k < 3; k++) s.step();
    const actual = s.read();
    const ulp = new Float32Array([actual[7]]);
    new Uint32Array(ulp.buffer)[0] += 1;
    actual[7] = ulp[0];
    expect(() => checkGate(subject({ size: 256 }), actual, expected, data.params)).toThrow(/index 7: .*bit-exact/);
    expect(() => checkGate(subject({ size: 256, check: "tolerance" }), actual, expected, data.params)).not.toThrow();
  });

  it("sanity mode (TF.js): rejects non-finite values and parameters that did not move", () => {
    const data = makeData(100, "float32");
    const moved = data.params.map((x) => x + 0.01);
    expect(() => checkGate(subject({ check: "sanity", size: 100, steps: 1 }), moved, moved, data.params)).not.toThrow();
    const nan = moved.slice();
    nan[42] = NaN;
    expect(() => checkGate(subject({ check: "sanity", size: 100 }), nan, moved, data.params)).toThrow(
      /index 42: got NaN, expected a finite value/,
    );
    expect(() => checkGate(subject({ check: "sanity", size: 100 }), data.params.slice(), moved, data.params)).toThrow(
      /only 0 of 100/,
    );
  });

  it("rejects a result of the wrong length", async () => {
    const data = makeData(64, "float32");
    expect(() => checkGate(subject({ size: 64 }), new Float32Array(63), data.params, data.params)).toThrow(
      /returned 63 values, expected 64/,
    );
  });
});
