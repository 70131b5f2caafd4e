/**
 * Timed in pairs: two sides run alternating batches (in the order first, second, second, first,
 * ... so that neither always goes first), each pair gives a ratio of their times, and the result
 * is the median ratio with its spread. Both halves of a pair see the same state of a shared
 * machine, whose memory bandwidth drifts over seconds: two medians timed one after the other,
 * seconds apart, can differ by more than a second thread gives.
 * Two threads over one: one threaded stepper on one thread and on its threads, so that both
 * halves also see the same memory: the same data in the same caches. Two steppers with memories
 * of their own would evict each other's data from the last-level cache at every switch where both
 * do not fit in it together (Adam at 1M: 16 MB each, in a 32 MB cache); the untimed first step of
 * every batch takes the cold misses where they cannot be avoided, as against native C
 * (native-paired.ts), whose batches run in a child process.
 */
import type { TimingSettings } from "./args.js";
import type { BenchCase } from "./cases.js";
import type { BenchData } from "./data.js";
import { findImpl, ONE_THREAD_OF } from "./impls/registry.js";
import type { Stepper } from "./impls/types.js";
import type { ImplResult } from "./run.js";
import { settleHeap } from "./settle-heap.js";

export interface PairedRatio {
  /** Median over the pairs of (first side's batch time) / (second side's batch time). */
  ratio: number;
  /** The spread of the pairs' ratios: smallest, quartiles (as `quantile`), largest. */
  min: number;
  q1: number;
  q3: number;
  max: number;
  pairs: number;
  /** Steps per batch. */
  batch: number;
}

/** What pairing needs of a stepper: its step. */
type Steps = Pick<Stepper, "step">;

/**
 * One side of a pair: runs one untimed step, then `steps` timed ones, and gives their time in ms.
 * A side timed in another process (native C) answers asynchronously; its clock is its own.
 */
export type TimedBatch = (steps: number) => number | Promise<number>;

/** Timed steps per batch at least. */
export const STEPS_PER_BATCH = 8;

/**
 * The batch (at least STEPS_PER_BATCH steps and `minSampleMs`) and the number of pairs (about
 * `timeMs` of work, from 5 to 31) for steps of about `stepMs`.
 */
export function pairSizes(t: TimingSettings, stepMs: number): { batch: number; pairs: number } {
  const ms = Math.max(stepMs, 1e-6);
  const batch = Math.max(STEPS_PER_BATCH, Math.ceil(t.minSampleMs / ms));
  return { batch, pairs: Math.min(31, Math.max(5, Math.floor(t.timeMs / (2 * batch * ms)))) };
}

/** The `q`-quantile of sorted values, interpolated between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
}

/**
 * `first` and `second` in alternating batches (first, second, second, first, ... so that neither
 * always goes first), after one untimed batch of each: the pairs' ratios of first's time over
 * second's, their median and spread. The ratio is second's speed relative to first's.
 */
export async function pairBatches(
  first: TimedBatch,
  second: TimedBatch,
  batch: number,
  pairs: number,
  /** Told after each pair (a run of pairs at 16M takes seconds). */
  onPair: (done: number, pairs: number) => void = () => {},
): Promise<PairedRatio> {
  await first(batch); // warm-up: both have been timed before, but not just now
  await second(batch);
  const ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    let firstMs: number;
    let secondMs: number;
    if (p % 2 === 0) {
      firstMs = await first(batch);
      secondMs = await second(batch);
    } else {
      secondMs = await second(batch);
      firstMs = await first(batch);
    }
    ratios.push(firstMs / secondMs);
    onPair(p + 1, pairs);
  }
  ratios.sort((a, b) => a - b);
  return {
    ratio: quantile(ratios, 0.5),
    min: ratios[0],
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    max: ratios[pairs - 1],
    pairs,
    batch,
  };
}

/**
 * A stepper of this process as one side of a pair. The batch's first step is untimed: the switch
 * itself (workers asleep after the other side's batch, its data cold in the caches) is not part
 * of the back-to-back steps being timed.
 */
export function timedBatch(stepper: Steps, now: () => number = () => performance.now()): TimedBatch {
  return (steps) => {
    stepper.step();
    const start = now();
    for (let k = 0; k < steps; k++) stepper.step();
    return now() - start;
  };
}

/**
 * `one` and `threads` steppers of this process in pairs; `stepMs`, the one-thread step time
 * already measured, sizes the batches (`pairSizes`).
 */
export function pairedRatio(
  one: Steps,
  threads: Steps,
  t: TimingSettings,
  stepMs: number,
  now: () => number = () => performance.now(),
  onPair?: (done: number, pairs: number) => void,
): Promise<PairedRatio> {
  const { batch, pairs } = pairSizes(t, stepMs);
  return pairBatches(timedBatch(one, now), timedBatch(threads, now), batch, pairs, onPair);
}

/** The threaded Wasm implementation whose speed over one thread is paired. */
export const THREADS_ID = "wasm-simd-threads";

/** `stepper` on one thread (`oneThread` on) and on its threads, as the two steppers of a pair. */
export function switchedPair(stepper: { step(): void; oneThread(on: boolean): void }): [Steps, Steps] {
  return [
    {
      step: () => {
        stepper.oneThread(true);
        stepper.step();
      },
    },
    {
      step: () => {
        stepper.oneThread(false);
        stepper.step();
      },
    },
  ];
}

/**
 * `wasm-simd-threads` on one thread and on its threads, in pairs (`switchedPair`), on a fresh
 * stepper over the same data, when it ran (and passed the gate) at this size; null otherwise.
 * `announce` is called before the pairs are timed.
 */
export async function pairThreads(
  c: BenchCase,
  data: BenchData,
  results: readonly ImplResult[],
  t: TimingSettings,
  announce: () => void,
): Promise<PairedRatio | null> {
  const ran = results.find((r) => r.impl === THREADS_ID && r.status === "ok");
  if (ran === undefined) return null;
  announce();
  const stepper = await findImpl(THREADS_ID).setup(c, data);
  try {
    if (stepper.oneThread === undefined) throw new Error(`${THREADS_ID} has no one-thread switch`);
    const [one, threads] = switchedPair({ step: stepper.step, oneThread: stepper.oneThread });
    // Batches sized by the one-thread step: that of the one-thread counterpart where it ran.
    const oneMs = results.find((r) => r.impl === ONE_THREAD_OF[THREADS_ID] && r.status === "ok")?.medianMs;
    await settleHeap();
    return await pairedRatio(one, threads, t, oneMs ?? ran.medianMs!);
  } finally {
    stepper.dispose();
  }
}
