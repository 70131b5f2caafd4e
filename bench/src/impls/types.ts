import type { BenchCase, Dtype } from "../cases.js";
import type { TimingSettings } from "../args.js";
import type { BenchData, FloatArray } from "../data.js";
import type { Measurement } from "../timing.js";

/** One implementation set up for one case and size. Setup (allocation, copies) happens before. */
export interface Stepper {
  /** One optimizer step over all parameters (the timed operation). */
  step(): void;
  /** A copy of the current parameter values. */
  read(): FloatArray;
  dispose(): void;
  /**
   * For code that cannot be called per step from JS (native code in a child process): times its
   * own loop with these settings, as timing.ts does, instead of being timed through step().
   */
  measureSelf?(timing: TimingSettings): Measurement;
  /**
   * A threaded stepper's switch: `true` keeps its steps on the calling thread, `false` gives them
   * its threads again; the same memory and data either way (two threads against one, paired.ts).
   */
  oneThread?(on: boolean): void;
}

/**
 * How the correctness gate judges an implementation against simdopt's reference:
 * - `exact`: bit for bit (simdopt's Wasm binaries);
 * - `tolerance`: relative tolerance (plain JS computes in double, stores in the element type);
 * - `sanity`: finite and moved only (TF.js: different formulas, compared on speed only).
 */
export type CheckMode = "exact" | "tolerance" | "sanity";

export interface Impl {
  id: string;
  check: CheckMode;
  /** How the reference it is checked against rounds multiply-adds (simdopt's `rounding`). */
  referenceRounding: "separate" | "fused";
  /** null when the implementation can run this case and dtype, else the reason it is "n/a". */
  unavailable(c: BenchCase, dtype: Dtype): Promise<string | null>;
  setup(c: BenchCase, data: BenchData): Promise<Stepper>;
  /** What the JSON records about it: binary, library versions, threads. */
  describe(): Promise<Record<string, unknown>>;
}
