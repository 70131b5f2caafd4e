// torch 2's lerp_, the rule that moves first moments, against values torch 2.13 computed
// (fixtures/torch-lerp.ts): w = 0.5 exactly takes torch's second formula, b − (b − a)·(1 − w), the
// float32 just below it the first, a + w·(b − a), and the two differ in the last bit on some elements.
import { describe, expect, test } from "vitest";
import { Adam, loadRuntime, RMSprop } from "../dist/index.js";
import { lerp, roundFor } from "../dist/reference/rules.js";
import { LERP_A, LERP_B, LERP_CASES } from "./fixtures/torch-lerp.js";

const f32 = roundFor("float32", "fused");

/** The state of the optimizer's first parameter, its buffers as plain arrays (float32 values are JSON numbers). */
const firstState = (opt: { stateDict(): { state: Record<string, unknown> } }) =>
  opt.stateDict().state[0] as Record<string, { data: number[] }>;

test("the fixture sits on the threshold: the two formulas differ there", () => {
  const below = LERP_CASES.find(([w]) => w < 0.5 && w > 0.4)?.[1] ?? [];
  const at = LERP_CASES.find(([w]) => w === 0.5)?.[1] ?? [];
  expect(Math.fround(0.49999997019767761)).toBe(0.49999997019767761);
  expect(below.some((value, i) => value !== at[i])).toBe(true);
});

describe.each(LERP_CASES)("a.lerp_(b, %s) as torch 2.13", (w, expected) => {
  test("the reference rule", () => {
    // torch converts the Python float weight to float32, as the kernels round every scalar.
    expect(LERP_A.map((a, i) => lerp(f32, a, LERP_B[i], Math.fround(w)))).toEqual(expected);
  });

  test.each(["simd", "scalar", "reference"] as const)("Adam's first moment on the %s binary", async (binary) => {
    // exp_avg = a from a checkpoint, gradient b, β1 = 1 − w: the step moves exp_avg to a.lerp_(b, w).
    const runtime = await loadRuntime({ binary });
    const p = runtime.parameter(LERP_A.length);
    const opt = new Adam([p], { betas: [1 - w, 0.999] });
    p.setGrad(LERP_B);
    opt.step();
    const dict = opt.stateDict();
    (dict.state[0] as Record<string, { data: number[] }>).exp_avg.data = LERP_A;
    opt.loadStateDict(dict);
    opt.step();
    expect(firstState(opt).exp_avg.data).toEqual(expected);
    opt.dispose();
    p.dispose();
  });
});

test("torch113: true moves the first moment as torch 1.13, β1·m + (1 − β1)·g, centered RMSprop's mean too", async () => {
  const runtime = await loadRuntime({ binary: "simd" });
  for (const torch113 of [false, true]) {
    const p = runtime.parameter(LERP_A.length);
    const opt = new RMSprop([p], { alpha: 0.5, centered: true, torch113 });
    p.setGrad(LERP_B);
    opt.step();
    const dict = opt.stateDict();
    (dict.state[0] as Record<string, { data: number[] }>).grad_avg.data = LERP_A;
    opt.loadStateDict(dict);
    opt.step();
    const gradAvg = firstState(opt).grad_avg.data;
    const expected = torch113
      ? LERP_A.map((a, i) => Math.fround(Math.fround(a * 0.5) + Math.fround(0.5 * LERP_B[i])))
      : (LERP_CASES.find(([w]) => w === 0.5)?.[1] ?? []);
    expect(gradAvg).toEqual(expected);
    opt.dispose();
    p.dispose();
  }
});
