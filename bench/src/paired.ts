/**
 * Two threads over one, timed in pairs: one threaded stepper runs alternating batches on one
 * thread and on its threads (in the order one, threads, threads, one, ... so that neither always
 * goes first), each pair gives a ratio of their times, and the result is the median ratio. Both
 * halves of a pair see the same state of a shared machine, whose memory bandwidth drifts over
 * seconds (two medians timed one after the other, seconds apart, can differ by more than the second
 * thread gives), and the same memory: the same data in the same caches. Two steppers with memories
 * of their own would evict each other's data from the last-level cache at every switch where both
 * do not fit in it together (Adam at 1M: 16 MB each, in a 32 MB cache), and time cold batches.
 */
import type { TimingSettings } from "./args.js";
import type { BenchCase } from "./cases.js";
import type { BenchData } from "./data.js";
import { findImpl, ONE_THREAD_OF } from "./impls/registry.js";
import type { Stepper } from "./impls/types.js";
import type { ImplResult } from "./run.js";
import { settleHeap } from "./settle-heap.js";

export interface PairedRatio {
  /** Median over the pairs of (one-thread batch time) / (threaded batch time). */
  ratio: number;
  pairs: number;
  /** Steps per batch. */
  batch: number;
}

/** What pairing needs of a stepper: its step. */
type Steps = Pick<Stepper, "step">;

/** Timed steps per batch at least. */
export const STEPS_PER_BATCH = 8;

/**
 * `stepMs`: the one-thread step time already measured, which sizes the batches (at least
 * STEPS_PER_BATCH steps and `minSampleMs`) and the number of pairs (about `timeMs` of work, from 5
 * to 31).
 */
export function pairedRatio(
  one: Steps,
  threads: Steps,
  t: TimingSettings,
  stepMs: number,
  now: () => number = () => performance.now(),
): PairedRatio {
  const batch = Math.max(STEPS_PER_BATCH, Math.ceil(t.minSampleMs / Math.max(stepMs, 1e-6)));
  const pairs = Math.min(31, Math.max(5, Math.floor(t.timeMs / (2 * batch * Math.max(stepMs, 1e-6)))));
  // A batch starts with one untimed step: the switch itself (workers asleep after the other
  // side's batch, its data cold in the caches) is not part of the back-to-back steps being timed.
  const time = (stepper: Steps) => {
    stepper.step();
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
    return pairedRatio(one, threads, t, oneMs ?? ran.medianMs!);
  } finally {
    stepper.dispose();
  }
}
