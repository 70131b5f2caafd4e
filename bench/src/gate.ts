/**
 * The correctness gate: before an implementation is timed, it takes GATE_STEPS steps from the
 * benchmark data and its parameters are compared with simdopt's plain-JS reference (the
 * specification the Wasm binaries match bit for bit) after the same steps:
 *
 * - `exact` (wasm-*): bit for bit (Object.is: NaN equals NaN, +0 differs from -0);
 * - `tolerance` (js): |actual − expected| ≤ tol·max(1, |expected|), tol 1e-5 (float32) or 1e-10
 *   (float64), since plain JS computes in double and rounds once on store;
 * - `sanity` (tfjs-*): TF.js's formulas differ from torch's, so it is compared on speed only; the
 *   gate checks that every value is finite and that the parameters moved (≥ 99% changed).
 *
 * The implementation runs at the full benchmark size; the reference runs only on the gate indices
 * (the first min(size, 65536) elements and the last 4096, see data.ts), which is exact because
 * every update is element-wise, and keeps the slow reference cheap at 16M. Any failure throws a
 * GateError naming the implementation, optimizer, size, index and values, which aborts the bench.
 */
import type { BenchCase, Dtype } from "./cases.js";
import { gateIndexAt, gatherGate, type BenchData, type FloatArray } from "./data.js";
import type { CheckMode, Stepper } from "./impls/types.js";
import { createWasmStepper } from "./impls/wasm.js";

/** Steps taken before the comparison. */
export const GATE_STEPS = 3;

export class GateError extends Error {
  override name = "GateError";
}

export function tolerance(dtype: Dtype): number {
  return dtype === "float64" ? 1e-10 : 1e-5;
}

/**
 * Optimizers whose step reduces over the whole tensor (norms, means): a packed subset would step
 * differently, so their reference runs on all the data and is gathered afterwards.
 */
const REDUCING: ReadonlySet<string> = new Set(["lamb", "adafactor", "optax:lamb"]);

/** The reference's parameters after `steps` steps, at the gate indices (packed). */
export async function referenceAtGate(
  c: BenchCase,
  data: BenchData,
  rounding: "separate" | "fused" = "fused",
  steps = GATE_STEPS,
): Promise<FloatArray> {
  const size = data.params.length;
  const whole = REDUCING.has(c.optimizer);
  const packed: BenchData = whole
    ? data
    : { dtype: data.dtype, params: gatherGate(data.params, size), grads: gatherGate(data.grads, size) };
  const ref = await createWasmStepper({ binary: "reference", rounding }, c, packed);
  try {
    for (let s = 0; s < steps; s++) ref.step();
    return whole ? gatherGate(ref.read(), size) : ref.read();
  } finally {
    ref.dispose();
  }
}

export interface GateSubject {
  impl: string;
  check: CheckMode;
  caseId: string;
  dtype: Dtype;
  size: number;
  steps: number;
}

function fmt(x: number): string {
  return Number.isNaN(x) ? "NaN" : Object.is(x, -0) ? "-0" : x.toPrecision(9);
}

/**
 * Compares `actual` (the implementation's full parameter array) with `expected` (the reference at
 * the gate indices) and `initial` (the data's parameters, for the sanity check). Throws GateError.
 */
export function checkGate(
  s: GateSubject,
  actual: FloatArray,
  expected: FloatArray,
  initial: FloatArray,
): { checked: number } {
  const where = `${s.impl}, optimizer ${s.caseId}, size ${s.size} ${s.dtype}, after ${s.steps} step${s.steps === 1 ? "" : "s"}`;
  const fail = (msg: string) => {
    throw new GateError(`correctness gate failed for ${where}: ${msg}`);
  };
  if (actual.length !== s.size) fail(`read() returned ${actual.length} values, expected ${s.size}`);
  const tol = tolerance(s.dtype);
  let moved = 0;
  for (let k = 0; k < expected.length; k++) {
    const i = gateIndexAt(k, s.size);
    const a = actual[i];
    if (s.check === "exact") {
      if (!Object.is(a, expected[k]))
        fail(`index ${i}: got ${fmt(a)}, reference ${fmt(expected[k])} (must be bit-exact)`);
    } else if (s.check === "tolerance") {
      const e = expected[k];
      const bound = tol * Math.max(1, Math.abs(e));
      if (!(Math.abs(a - e) <= bound) && !(Number.isNaN(a) && Number.isNaN(e))) {
        fail(
          `index ${i}: got ${fmt(a)}, reference ${fmt(e)} (|diff| ${fmt(Math.abs(a - e))} > ${bound.toExponential(2)})`,
        );
      }
    } else {
      if (!Number.isFinite(a)) fail(`index ${i}: got ${fmt(a)}, expected a finite value`);
      if (a !== initial[i]) moved++;
    }
  }
  if (s.check === "sanity" && moved < 0.99 * expected.length) {
    fail(`only ${moved} of ${expected.length} checked parameters changed (expected at least 99%)`);
  }
  return { checked: expected.length };
}

/** Runs the gate on a freshly set-up stepper: `steps` steps, then the comparison. */
export function runGate(s: GateSubject, stepper: Stepper, expected: FloatArray, data: BenchData): void {
  for (let k = 0; k < s.steps; k++) stepper.step();
  checkGate(s, stepper.read(), expected, data.params);
}
