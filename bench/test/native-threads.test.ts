import { describe, expect, it } from "vitest";

import { TIMING } from "../src/args.js";
import { findCase } from "../src/cases.js";
import { makeData } from "../src/data.js";
import { referenceAtGate, runGate, type GateSubject } from "../src/gate.js";
import { buildNative, NATIVE_CASES, nativeImpl } from "../src/impls/native.js";
import { findImpl } from "../src/impls/registry.js";

const subject = (over: Partial<GateSubject>): GateSubject => ({
  impl: "x",
  check: "exact",
  caseId: "adam",
  dtype: "float32",
  size: 1000,
  steps: 3,
  ...over,
});
const tiny = { ...TIMING.quick, timeMs: 20, warmupMs: 2, minSamples: 3, maxTaskMs: 200 };

describe("wasm-simd-threads", () => {
  it("passes the bit-exact gate on two threads, and its pool ends with the stepper", async () => {
    const size = 300_001; // above the runtime's threshold for threads (262144), with a tail
    const c = findCase("adam");
    const data = makeData(size, "float32");
    const impl = findImpl("wasm-simd-threads");
    expect(await impl.unavailable(c, "float32")).toBeNull();
    const s = (await impl.setup(c, data)) as Awaited<ReturnType<typeof impl.setup>> & { runtime: { threads: number } };
    expect(s.runtime.threads).toBe(2);
    const expected = await referenceAtGate(c, data);
    expect(() => runGate(subject({ impl: impl.id, size }), s, expected, data)).not.toThrow();
    s.dispose();
    expect(s.runtime.threads).toBe(1);
  });
});

describe("native", () => {
  it("builds with the system C compiler, passes the gate for adam and momentum on 1 and 2 threads, and times itself", async () => {
    const build = await buildNative();
    expect(typeof build, `the native reference did not build: ${String(build)}`).toBe("object");
    const size = 70001;
    for (const id of ["adam", "momentum"]) {
      const c = findCase(id);
      const data = makeData(size, "float32");
      const expected = await referenceAtGate(c, data, "fused");
      for (const threads of [1, 2]) {
        const impl = nativeImpl(`native-${threads}`, threads);
        expect(await impl.unavailable(c, "float32")).toBeNull();
        const s = await impl.setup(c, data);
        expect(() =>
          runGate(subject({ impl: impl.id, check: "tolerance", caseId: id, size }), s, expected, data),
        ).not.toThrow();
        const m = s.measureSelf!(tiny);
        expect(m.medianMs).toBeGreaterThan(0);
        expect(m.minMs).toBeLessThanOrEqual(m.medianMs);
        expect(m.samples).toBeGreaterThanOrEqual(3);
      }
    }
  });

  // Updates, not parameters: a parameter moves by lr-sized steps, so comparing parameters to 1e-5
  // would let a rule with a wrong small term (a decay, a bias correction) pass. An update may
  // differ from the reference's by 1e-4 of itself plus the float32 roundings of the parameter
  // (|p| < 1: one unit in the last place of 1 a step).
  const STEPS = 10; // RAdam rectifies from its 6th step
  const size = 1000;
  const data = makeData(size, "float32");
  async function updateMisses(id: string, referenceId: string): Promise<number> {
    const expected = await referenceAtGate(findCase(referenceId), data, "fused", STEPS);
    const s = await nativeImpl("native", 1).setup(findCase(id), data);
    for (let k = 0; k < STEPS; k++) s.step();
    const actual = s.read();
    let misses = 0;
    for (let i = 0; i < size; i++) {
      const want = expected[i] - data.params[i];
      const got = actual[i] - data.params[i];
      if (!(Math.abs(got - want) <= 1e-4 * Math.abs(want) + STEPS * 2 ** -23)) misses++;
    }
    return misses;
  }

  it("every C rule steps as simdopt's reference: each update to 1e-4 of itself, over 10 steps", async () => {
    for (const id of Object.keys(NATIVE_CASES)) {
      expect(await nativeImpl("native", 1).unavailable(findCase(id), "float32"), id).toBeNull();
      expect(await updateMisses(id, id), `${id}: updates unlike the reference's`).toBe(0);
    }
  });

  it("a C rule that differs from the reference fails that check", async () => {
    // adamw's rule against adam's reference: the decay moves a parameter by about lr·wd·p a step.
    expect(await updateMisses("adamw", "adam")).toBeGreaterThan(size / 2);
  });

  it("says why a case or dtype has no native kernel", async () => {
    const impl = nativeImpl("native", 1);
    expect(await impl.unavailable(findCase("rprop"), "float32")).toMatch(/no native kernel for rprop/);
    expect(await impl.unavailable(findCase("adam"), "float64")).toMatch(/float32 only/);
  });
});
