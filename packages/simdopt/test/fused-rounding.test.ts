// The default (fused) rounding computes a true fused multiply-add on every binary, in the SIMD body
// and in the tail, including where rounding through double would round twice.
import { expect, test } from "vitest";
import { loadRuntime } from "../dist/index.js";
import { FMA_CASES, fusedExpected, fusedOnRuntime } from "./fma-cases.js";

test.each(["reference", "scalar", "simd"] as const)("%s: fused multiply-adds round once", async (binary) => {
  for (const relaxedSimd of [true, false]) {
    const runtime = await loadRuntime({ binary, relaxedSimd });
    for (const [a, addends] of FMA_CASES) {
      expect(fusedOnRuntime(runtime, a, addends), `${runtime.build}, a = ${a}`).toEqual(fusedExpected(a, addends));
    }
  }
});

test("the cases tell one rounding from two", async () => {
  const runtime = await loadRuntime({ rounding: "separate" });
  const differs = FMA_CASES.some(([a, addends]) =>
    fusedOnRuntime(runtime, a, addends).some((value, i) => !Object.is(value, fusedExpected(a, addends)[i])),
  );
  expect(differs).toBe(true);
  const [a] = FMA_CASES[0];
  expect(Math.fround(a * a + 2 ** -60)).not.toBe(fusedExpected(a, [2 ** -60])[0]); // double rounding misses it
});
