/**
 * Two threads over one, timed in pairs: the one-thread and the threaded stepper run alternating
 * batches (in the order one, threads, threads, one, ... so that neither always goes first), each
 * pair gives a ratio of their times, and the result is the median ratio. Both see the same state of
 * a shared machine, whose memory bandwidth drifts over seconds; two medians timed one after the
 * other, seconds apart, can differ by more than the second thread gives.
 */
import type { TimingSettings } from "./args.js";
import type { BenchCase } from "./cases.js";
import type { BenchData } from "./data.js";
import { findImpl, ONE_THREAD_OF } from "./impls/registry.js";
import type { Stepper } from "./impls/types.js";
import type { ImplResult } from "./run.js";

export interface PairedRatio {
  /** Median over the pairs of (one-thread batch time) / (threaded batch time). */
  ratio: number;
  pairs: number;
  /** Steps per batch. */
  batch: number;
}

/**
 * Steps per batch at least: the two steppers have memories of their own, so a batch starts with
 * the other's data in the caches; over several steps that first step's misses weigh little.
 */
export const STEPS_PER_BATCH = 8;

/**
 * `stepMs`: the one-thread step time already measured, which sizes the batches (at least
 * STEPS_PER_BATCH steps and `minSampleMs`) and the number of pairs (about `timeMs` of work, from 5
 * to 31).
 */
export function pairedRatio(
  one: Pick<Stepper, "step">,
  threads: Pick<Stepper, "step">,
  t: TimingSettings,
  stepMs: number,
  now: () => number = () => performance.now(),
): PairedRatio {
  const batch = Math.max(STEPS_PER_BATCH, Math.ceil(t.minSampleMs / Math.max(stepMs, 1e-6)));
  const pairs = Math.min(31, Math.max(5, Math.floor(t.timeMs / (2 * batch * Math.max(stepMs, 1e-6)))));
  const time = (stepper: Pick<Stepper, "step">) => {
    const start = now();
    for (let k = 0; k < batch; k++) stepper.step();
    return now() - start;
  };
  time(one); // warm-up: both have been timed before, but not just now
  time(threads);
  const ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    let oneMs: number;
    let threadsMs: number;
    if (p % 2 === 0) {
      oneMs = time(one);
      threadsMs = time(threads);
    } else {
      threadsMs = time(threads);
      oneMs = time(one);
    }
    ratios.push(oneMs / threadsMs);
  }
  ratios.sort((a, b) => a - b);
  return { ratio: ratios[pairs >> 1], pairs, batch };
}

/** The threaded Wasm implementation whose speed over its one-thread counterpart is paired. */
export const THREADS_ID = "wasm-simd-threads";

/**
 * `wasm-simd-threads` over its one-thread counterpart (registry.ts) in pairs, on fresh steppers
 * over the same data, when both ran (and passed the gate) at this size; null otherwise.
 * `announce` is called before the pairs are timed.
 */
export async function pairThreads(
  c: BenchCase,
  data: BenchData,
  results: readonly ImplResult[],
  t: TimingSettings,
  announce: () => void,
): Promise<PairedRatio | null> {
  const oneId = ONE_THREAD_OF[THREADS_ID];
  const ran = (id: string) => results.find((r) => r.impl === id && r.status === "ok");
  const one = ran(oneId);
  if (one === undefined || ran(THREADS_ID) === undefined) return null;
  announce();
  const oneStepper = await findImpl(oneId).setup(c, data);
  try {
    const threadsStepper = await findImpl(THREADS_ID).setup(c, data);
    try {
      return pairedRatio(oneStepper, threadsStepper, t, one.medianMs!);
    } finally {
      threadsStepper.dispose();
    }
  } finally {
    oneStepper.dispose();
  }
}
