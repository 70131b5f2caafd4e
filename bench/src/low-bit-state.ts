/**
 * Low-bit optimizer state: Adam with float32, bfloat16, 8-bit, 4-bit and FP8 moments on the same float32
 * parameters, simdopt's default runtime, and the capacity of one 4 GiB Wasm memory in parameters
 * with their Adam state, per format, found by allocating tensors until the memory cannot grow.
 * At each size the formats live in one runtime (one memory, closed after the size), each on
 * its own copy of the same data. Each is timed on one thread (its median), and each low-bit format
 * against float32 Adam in alternating pairs (paired.ts): two medians timed seconds apart on a
 * shared machine differ by more than the formats do. At the memory-bound sizes, each format's two
 * threads are also paired against its one (the runtime's `threadMinElements` moved out of reach and
 * back), beside the bandwidth reference with the format's traffic on two threads against one.
 */
import { Adam, loadRuntime, type Parameter, type Runtime } from "simdopt";

import type { TimingSettings } from "./args.js";
import { pairedBandwidth } from "./bandwidth-threads.js";
import { makeData, type BenchData } from "./data.js";
import { pairBatches, pairedRatio, pairSizes, switchedPair, timedBatch, type PairedRatio } from "./paired.js";
import { settleHeap } from "./settle-heap.js";
import { measure, type Measurement } from "./timing.js";

export type StateFormat = "float32" | "bfloat16" | "8bit" | "4bit" | "fp8";

/** A block's two float32 maxima (m's and v's), per parameter of a block of 256 (8-bit, FP8) or 128 (4-bit). */
const MAXIMA_PER_PARAM = (2 * 4) / 256;
const MAXIMA_PER_PARAM_4BIT = (2 * 4) / 128;

/**
 * Bytes per parameter of each format with float32 parameters and gradients: moved by a step in
 * steady state (p and g read, p written, each moment read and written) and resident (p, g, state);
 * and the read-modify-write streams of the bandwidth reference with that traffic (bandwidth.ts:
 * 1 + 2k streams of equal size): the mix of reads and writes of float32 and bfloat16 exactly, of
 * the blockwise formats the closest (a third written, against 6 of 8-bit's 16 bytes).
 */
export const STATE_FORMATS: readonly { state: StateFormat; moved: number; resident: number; written: number }[] = [
  { state: "float32", moved: 12 + 2 * 8, resident: 8 + 8, written: 3 },
  { state: "bfloat16", moved: 12 + 2 * 4, resident: 8 + 4, written: 2 },
  { state: "8bit", moved: 12 + 2 * (2 + MAXIMA_PER_PARAM), resident: 8 + 2 + MAXIMA_PER_PARAM, written: 1 },
  { state: "4bit", moved: 12 + 2 * (1 + MAXIMA_PER_PARAM_4BIT), resident: 8 + 1 + MAXIMA_PER_PARAM_4BIT, written: 1 },
  { state: "fp8", moved: 12 + 2 * (2 + MAXIMA_PER_PARAM), resident: 8 + 2 + MAXIMA_PER_PARAM, written: 1 },
];

/** The sizes the in-cache and the memory-bound ratios are judged at. */
export const LOW_BIT_SIZES: readonly number[] = [1 << 16, 1 << 24];

/** Sizes from this one on also pair two threads against one (memory-bound sizes). */
export const LOW_BIT_TWO_THREAD_MIN_SIZE = 1 << 20;

/** Threads of the two-thread pairs. */
const THREADS = 2;

/**
 * Untimed steps of each format before any is timed, at least this long (and two steps): V8 runs a
 * Wasm function in its baseline tier until its optimized code is ready, and the 8-bit kernel, one
 * large function, took 0.4 s of steps at 64K to get there, many times the profile's warm-up; its
 * first medians were of baseline code.
 */
export const LOW_BIT_WARMUP_MS = 1000;

export interface LowBitResult {
  state: StateFormat;
  size: number;
  bytesMoved: number;
  bytesResident: number;
  measurement: Measurement;
  mParamsPerSec: number;
  gbPerSec: number;
  /** Speed relative to float32 Adam at the same size in the same run: the median of `paired` (1 for float32). */
  vsFloat32: number;
  /** float32 Adam's batch time over this format's, in alternating pairs; null for float32 itself. */
  paired: PairedRatio | null;
  /** Two threads over one for this format, in pairs; null below LOW_BIT_TWO_THREAD_MIN_SIZE or without threads. */
  twoThreads: PairedRatio | null;
  /** The bandwidth reference with this format's traffic, two threads over one, in pairs; null as `twoThreads`. */
  bandwidthTwoThreads: PairedRatio | null;
}

/** One Adam step (lr 1e-3) per format, each on its own copy of `data` in `runtime`. */
interface FormatSteppers {
  steps: (() => void)[];
  dispose(): void;
}

function formatSteppers(runtime: Runtime, data: BenchData): FormatSteppers {
  const held: { param: Parameter<"float32">; optimizer: Adam }[] = [];
  const dispose = () => {
    for (const { param, optimizer } of held) {
      optimizer.dispose();
      param.dispose();
    }
  };
  try {
    for (const format of STATE_FORMATS) {
      const param = runtime.parameter(data.params as Float32Array).setGrad(data.grads as Float32Array);
      try {
        held.push({ param, optimizer: new Adam([param], { lr: 1e-3, state: format.state }) });
      } catch (error) {
        param.dispose();
        throw error;
      }
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return {
    steps: held.map(
      ({ optimizer }) =>
        () =>
          optimizer.step(),
    ),
    dispose,
  };
}

/** One memory for the formats at `size`: parameters, gradients and every format's state, with slack. */
function memoryFor(size: number): number {
  const resident = STATE_FORMATS.reduce((total, format) => total + format.resident * size, 0);
  return Math.min(4 * 1024 ** 3 - 65536, Math.ceil(resident) + (64 << 20));
}

/**
 * Times one Adam step of one tensor per format and size, float32 first: medians on one thread,
 * each low-bit format paired against float32, and from `twoThreadMinSize` on two threads paired
 * against one with the bandwidth reference beside them.
 */
export async function runLowBitState(
  timing: TimingSettings,
  onCase: (label: string) => void = () => {},
  sizes: readonly number[] = LOW_BIT_SIZES,
  twoThreadMinSize: number = LOW_BIT_TWO_THREAD_MIN_SIZE,
): Promise<LowBitResult[]> {
  const results: LowBitResult[] = [];
  for (const size of sizes) {
    const data = makeData(size, "float32");
    const sizeResults = await oneThread(size, data, timing, onCase);
    if (size >= twoThreadMinSize) await twoThreads(size, data, timing, onCase, sizeResults);
    results.push(...sizeResults);
  }
  return results;
}

/** The one-thread medians and the pairs against float32 at one size, in a runtime of one thread. */
async function oneThread(
  size: number,
  data: BenchData,
  timing: TimingSettings,
  onCase: (label: string) => void,
): Promise<LowBitResult[]> {
  const runtime = await loadRuntime({ threads: 1, initialMemory: memoryFor(size) });
  const steppers = formatSteppers(runtime, data);
  try {
    for (const [f, format] of STATE_FORMATS.entries()) {
      onCase(`adam ${format.state} state ${size}: warming up`);
      const start = performance.now();
      for (let k = 0; k < 2 || performance.now() - start < LOW_BIT_WARMUP_MS; k++) steppers.steps[f]();
    }
    const measurements: Measurement[] = [];
    for (const [f, format] of STATE_FORMATS.entries()) {
      onCase(`adam ${format.state} state ${size}: timing`);
      await settleHeap();
      measurements.push(measure(steppers.steps[f], timing));
    }
    const results: LowBitResult[] = [];
    for (const [f, format] of STATE_FORMATS.entries()) {
      let paired: PairedRatio | null = null;
      if (f > 0) {
        const label = `adam ${format.state} state ${size}: against float32, timed in pairs`;
        onCase(label);
        const { batch, pairs } = pairSizes(timing, measurements[0].medianMs);
        await settleHeap();
        paired = await pairBatches(
          timedBatch({ step: steppers.steps[0] }),
          timedBatch({ step: steppers.steps[f] }),
          batch,
          pairs,
          (done) => onCase(`${label}: ${done} of ${pairs}`),
        );
      }
      const measurement = measurements[f];
      results.push({
        state: format.state,
        size,
        bytesMoved: format.moved,
        bytesResident: format.resident,
        measurement,
        mParamsPerSec: size / (measurement.medianMs * 1e3),
        gbPerSec: (format.moved * size) / (measurement.medianMs * 1e6),
        vsFloat32: paired?.ratio ?? 1,
        paired,
        twoThreads: null,
        bandwidthTwoThreads: null,
      });
    }
    return results;
  } finally {
    steppers.dispose();
    await runtime.close();
  }
}

/** Two threads over one per format at one size, and the bandwidth reference's, into `results` (that size's). */
async function twoThreads(
  size: number,
  data: BenchData,
  timing: TimingSettings,
  onCase: (label: string) => void,
  results: LowBitResult[],
): Promise<void> {
  const runtime = await loadRuntime({ threads: THREADS, initialMemory: memoryFor(size) });
  try {
    if ((await runtime.startThreads()) !== THREADS) return; // no threads here: the figures stay null
    const steppers = formatSteppers(runtime, data);
    const threadMinElements = runtime.threadMinElements;
    try {
      for (const [f, format] of STATE_FORMATS.entries()) {
        const threadsLabel = `adam ${format.state} state ${size}: two threads against one, timed in pairs`;
        onCase(threadsLabel);
        const [one, two] = switchedPair({
          step: steppers.steps[f],
          oneThread: (on) => {
            runtime.threadMinElements = on ? Number.MAX_SAFE_INTEGER : threadMinElements;
          },
        });
        const oneMs = results[f].measurement.medianMs;
        await settleHeap();
        results[f].twoThreads = await pairedRatio(one, two, timing, oneMs, undefined, (done, pairs) =>
          onCase(`${threadsLabel}: ${done} of ${pairs}`),
        );
        const label = `bandwidth reference with ${format.state} state's traffic: two threads against one`;
        onCase(`${label}: setting up`);
        // k read-modify-write streams and the gradient's, of equal size, moving the format's bytes.
        const streamBytes = Math.ceil((format.moved * size) / (1 + 2 * format.written) / 64) * 64;
        results[f].bandwidthTwoThreads = await pairedBandwidth(format.written, streamBytes, timing, oneMs, (phase) =>
          onCase(`${label}: ${phase}`),
        );
      }
    } finally {
      runtime.threadMinElements = threadMinElements;
      steppers.dispose();
    }
  } finally {
    await runtime.close();
  }
}

export interface CapacityResult {
  state: StateFormat;
  /** Parameters allocated with gradients and Adam state before the 4 GiB memory could not grow. */
  params: number;
  bytesResident: number;
}

/**
 * Per format, fills one runtime's memory (up to 4 GiB) with float32 parameters, their gradients and
 * Adam's state (allocated by the optimizer's constructor): tensors of 16M elements while they fit,
 * then of 1M, then of 64K (each whole 8-bit blocks). Counts the parameters that fit.
 */
export async function runCapacity(onFormat: (label: string) => void = () => {}): Promise<CapacityResult[]> {
  const results: CapacityResult[] = [];
  for (const format of STATE_FORMATS) {
    const label = `capacity of 4 GiB with ${format.state} state`;
    onFormat(label);
    const runtime = await loadRuntime({ threads: 1 });
    const held: { param: Parameter<"float32">; optimizer: Adam }[] = [];
    let params = 0;
    for (const length of [1 << 24, 1 << 20, 1 << 16]) {
      for (;;) {
        let param: Parameter<"float32"> | undefined;
        try {
          param = runtime.parameter(length);
          const optimizer = new Adam([param], { lr: 1e-3, state: format.state });
          held.push({ param, optimizer });
          params += length;
          onFormat(`${label}: ${Math.round(params / 1e6)}M parameters so far`);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          param?.dispose();
          break;
        }
      }
    }
    onFormat(`${label}: ${Math.round(params / 1e6)}M parameters, freeing them`);
    for (const { param, optimizer } of held) {
      optimizer.dispose();
      param.dispose();
    }
    await runtime.close();
    results.push({ state: format.state, params, bytesResident: format.resident });
  }
  return results;
}
