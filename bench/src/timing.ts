/**
 * One measurement with tinybench: warm-up (untimed), then a `Bench` with one task whose function
 * runs `batch` steps, so that every sample lasts at least `minSampleMs` (timer resolution at 4K
 * params). Reported times are per step: tinybench's latency statistics divided by `batch`; the
 * median is tinybench's p50.
 */
import { Bench } from "tinybench";

import type { TimingSettings } from "./args.js";

export interface Measurement {
  medianMs: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  /** Number of tinybench samples (each of `batch` steps). */
  samples: number;
  batch: number;
  /** The tinybench settings of this measurement. */
  tinybench: { time: number; iterations: number; warmup: false };
  /** Untimed steps run before timing (after the correctness gate's steps). */
  warmupSteps: number;
}

/**
 * `knownStepMs`: a step time already observed (e.g. the gate's steps); when it exceeds the warm-up
 * budget no further warm-up steps are run.
 */
export function measure(step: () => void, t: TimingSettings, knownStepMs = 0): Measurement {
  // Warm-up: JIT tiers up, caches and page tables are touched; gives the step-time estimate.
  let warmupSteps = 0;
  let estimate = knownStepMs;
  if (knownStepMs < t.warmupMs) {
    const start = performance.now();
    let elapsed = 0;
    do {
      step();
      warmupSteps++;
      elapsed = performance.now() - start;
    } while (elapsed < t.warmupMs);
    estimate = elapsed / warmupSteps;
  }
  const batch = Math.max(1, Math.ceil(t.minSampleMs / Math.max(estimate, 1e-6)));
  const sampleMs = estimate * batch;
  let iterations = t.minSamples;
  if (sampleMs * iterations > t.maxTaskMs) iterations = Math.max(t.slowMinSamples, Math.floor(t.maxTaskMs / sampleMs));
  const time = sampleMs * iterations > t.timeMs ? 0 : t.timeMs;

  const bench = new Bench({ time, iterations, warmup: false, throws: true });
  const fn =
    batch === 1
      ? step
      : () => {
          for (let k = 0; k < batch; k++) step();
        };
  bench.add("step", fn);
  bench.runSync();
  const result = bench.tasks[0].result;
  if (result.state !== "completed") {
    throw new Error(`tinybench did not complete the measurement (state ${result.state})`);
  }
  const l = result.latency;
  return {
    medianMs: l.p50 / batch,
    minMs: l.min / batch,
    maxMs: l.max / batch,
    meanMs: l.mean / batch,
    samples: l.samplesCount,
    batch,
    tinybench: { time, iterations, warmup: false },
    warmupSteps,
  };
}
