/**
 * Speeds relative to native C, timed in pairs (paired.ts): a long-lived native child
 * (impls/native-server.ts), started on the case's data, runs alternating batches with simdopt's
 * steppers in this process, each side timing its own batch. simdopt on one thread pairs with
 * `native`, on two with `native-2t`; the bandwidth reference pairs with them the same way (is
 * Wasm's streaming itself slower than C's?), and `native-2t` with `native` (what a second thread
 * gives native code). A ratio is native's batch time over the subject's: above 1, the subject is
 * faster.
 */
import type { TimingSettings } from "./args.js";
import { createBandwidthKernel } from "./bandwidth.js";
import { createTwoThreadBandwidthKernel } from "./bandwidth-threads.js";
import { bytesPerElement, type BenchCase } from "./cases.js";
import type { BenchData } from "./data.js";
import { startNativeServer } from "./impls/native-server.js";
import { findImpl } from "./impls/registry.js";
import { pairBatches, pairSizes, timedBatch, type PairedRatio, type TimedBatch } from "./paired.js";
import type { BandwidthResult, ImplResult } from "./run.js";
import { settleHeap } from "./settle-heap.js";

/** What is paired with which native implementation, in the order they are timed. */
export const NATIVE_PAIRS = [
  { subject: "wasm-simd", native: "native" },
  { subject: "wasm-simd-threads", native: "native-2t" },
  { subject: "bandwidth", native: "native" },
  { subject: "bandwidth-2t", native: "native-2t" },
  { subject: "native-2t", native: "native" },
] as const;

export type NativePairSubject = (typeof NATIVE_PAIRS)[number]["subject"];

/** Each subject's speed relative to its native implementation, where both ran. */
export type NativePairs = Partial<Record<NativePairSubject, PairedRatio>>;

const NATIVE_THREADS = { native: 1, "native-2t": 2 } as const;

interface Side {
  batch: TimedBatch;
  /** About how long one step takes (sizes the batches). */
  stepMs: number;
  dispose(): void;
}

/**
 * The pairs of NATIVE_PAIRS whose sides ran (and passed the gate) at this size, on fresh steppers
 * over `data`; null when no native implementation ran. `announce` names each pair before it is timed.
 */
export async function pairNative(
  c: BenchCase,
  data: BenchData,
  results: readonly ImplResult[],
  bandwidth: BandwidthResult,
  t: TimingSettings,
  announce: (subject: string, native: string) => void,
): Promise<NativePairs | null> {
  const medianOf = (id: string) => results.find((r) => r.impl === id && r.status === "ok")?.medianMs;
  if (medianOf("native") === undefined && medianOf("native-2t") === undefined) return null;
  const nbytes = data.params.length * bytesPerElement(data.dtype);
  const server = await startNativeServer(c, data);
  const nativeSide =
    (id: keyof typeof NATIVE_THREADS): TimedBatch =>
    (steps) =>
      server.batch(NATIVE_THREADS[id], steps);

  const subjectSide = async (subject: NativePairSubject): Promise<Side | null> => {
    switch (subject) {
      case "wasm-simd":
      case "wasm-simd-threads": {
        const stepMs = medianOf(subject);
        if (stepMs === undefined) return null;
        const stepper = await findImpl(subject).setup(c, data);
        return { batch: timedBatch(stepper), stepMs, dispose: stepper.dispose };
      }
      case "bandwidth": {
        const kernel = createBandwidthKernel(c.written, nbytes);
        return { batch: timedBatch(kernel), stepMs: bandwidth.medianMs, dispose: kernel.dispose };
      }
      case "bandwidth-2t": {
        const kernel = await createTwoThreadBandwidthKernel(c.written, nbytes);
        const stepMs = bandwidth.medianMs / (bandwidth.twoThreads?.ratio ?? 1);
        return { batch: timedBatch(kernel), stepMs, dispose: kernel.dispose };
      }
      case "native-2t": {
        const stepMs = medianOf(subject);
        return stepMs === undefined ? null : { batch: nativeSide("native-2t"), stepMs, dispose: () => {} };
      }
    }
  };

  const pairs: NativePairs = {};
  try {
    for (const { subject, native } of NATIVE_PAIRS) {
      const nativeMs = medianOf(native);
      if (nativeMs === undefined) continue;
      const side = await subjectSide(subject);
      if (side === null) continue;
      try {
        announce(subject, native);
        // Batches sized by the faster side, so that both last at least minSampleMs.
        const { batch, pairs: count } = pairSizes(t, Math.min(side.stepMs, nativeMs));
        await settleHeap();
        pairs[subject] = await pairBatches(nativeSide(native), side.batch, batch, count);
      } finally {
        side.dispose();
      }
    }
  } finally {
    server.close();
  }
  return pairs;
}
