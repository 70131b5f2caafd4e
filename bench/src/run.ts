/**
 * The benchmark loop: for each size, each optimizer case and each implementation, set up (untimed),
 * pass the correctness gate, then time; and, per traffic pattern and size, the bandwidth reference.
 * Timing continues from the state after the gate's steps (state is not reset: an optimizer step
 * costs the same whatever the step count).
 */
import type { BenchConfig } from "./args.js";
import { createBandwidthKernel } from "./bandwidth.js";
import { pairedBandwidth } from "./bandwidth-threads.js";
import { bytesPerElement, bytesPerParam, findCase, type BenchCase, type Dtype } from "./cases.js";
import { GATE_PREFIX, GATE_TAIL, makeData, type FloatArray } from "./data.js";
import { environment, versions, type Environment } from "./environment.js";
import { GATE_STEPS, referenceAtGate, runGate, tolerance } from "./gate.js";
import { findImpl, ONE_THREAD_OF, TFJS_IDS } from "./impls/registry.js";
import type { CheckMode, Impl } from "./impls/types.js";
import { formatSize, Progress, type ProgressStream } from "./progress.js";
import { runManyTensors, type LayoutResult } from "./many-tensors.js";
import { runCapacity, runLowBitState, type CapacityResult, type LowBitResult } from "./low-bit-state.js";
import { runSparseRows, SPARSE_TABLE, type SparseRowsResult } from "./sparse-rows.js";
import { pairNative, type NativePairs } from "./native-paired.js";
import { pairThreads, THREADS_ID, type PairedRatio } from "./paired.js";
import { measure, type Measurement } from "./timing.js";
import { settleHeap } from "./settle-heap.js";

export interface ImplResult {
  impl: string;
  /** `n/a`: the implementation cannot run this case; `skipped`: the profile leaves this size out (see `reason`). */
  status: "ok" | "n/a" | "skipped";
  reason?: string;
  check?: CheckMode;
  gateSteps?: number;
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  meanMs?: number;
  samples?: number;
  batch?: number;
  tinybench?: Measurement["tinybench"];
  warmupSteps?: number;
  /** Million parameters updated per second (from the median). */
  mParamsPerSec?: number;
  /** Effective GB/s: bytesPerParam × size / median. */
  gbPerSec?: number;
  /** js median / this median (null when js did not run). */
  speedupVsJs?: number | null;
  /** fastest TF.js median / this median (null when no TF.js backend ran). */
  speedupVsBestTfjs?: number | null;
  /** 100 × bandwidth-reference median / this median. */
  pctBandwidth?: number;
  /** For a multi-threaded implementation: its one-thread counterpart's median / this median. */
  vsOneThread?: number | null;
}

export interface BandwidthResult {
  /** Read-modify-write streams (= arrays the optimizer writes) plus one read-only stream. */
  streams: { readOnly: 1; readModifyWrite: number };
  bytesPerParam: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
  batch: number;
  gbPerSec: number;
  tinybench: Measurement["tinybench"];
  /**
   * The same traffic on two threads over one, timed in pairs (bandwidth-threads.ts): what the memory
   * system gives a second thread. Measured when the run has a threaded implementation.
   */
  twoThreads?: PairedRatio | null;
}

export interface SizeResult {
  size: number;
  bandwidth: BandwidthResult;
  impls: ImplResult[];
  bestTfjs: string | null;
  /** `wasm-simd-threads` over `wasm-simd` timed in alternating pairs (paired.ts), when both ran. */
  threadsPaired?: PairedRatio | null;
  /**
   * Speeds relative to native C (`native`, `native-2t`) timed in alternating pairs
   * (native-paired.ts): `wasm-simd`, `wasm-simd-threads`, the bandwidth reference on one and two
   * threads, and `native-2t` over `native`; null when no native implementation ran.
   */
  nativePaired?: NativePairs | null;
}

export interface CaseResult {
  id: string;
  optimizer: string;
  options: Record<string, unknown>;
  tfjs: BenchCase["tfjs"];
  bytesPerParam: number;
  traffic: string;
  sizes: SizeResult[];
}

export interface BenchResults {
  schema: "simdopt-bench/1";
  date: string;
  profile: BenchConfig["profile"];
  dtype: Dtype;
  argv: string[];
  environment: Environment;
  versions: Record<string, string>;
  impls: Record<string, Record<string, unknown>>;
  timing: BenchConfig["timing"] & { statistic: string };
  sizeLimits: BenchConfig["sizeLimits"];
  gate: Record<string, unknown>;
  notes: string[];
  cases: CaseResult[];
  /** Adam over one tensor and over many small ones with the same parameter count (see many-tensors.ts). */
  manyTensors: LayoutResult[] | null;
  /** Sparse steps of a table's touched rows against the dense step (see sparse-rows.ts). */
  sparseRows: SparseRowsResult[] | null;
  /** Adam with float32, bfloat16 and 8-bit state (see low-bit-state.ts). */
  lowBitState: LowBitResult[] | null;
  /** Parameters with Adam state that fit in one 4 GiB memory, per state format. */
  capacity: CapacityResult[] | null;
  wallTimeSec: number;
}

export const NOTES = [
  "Times are per optimizer step over all parameters: tinybench latency p50 (median), min and max, divided by the batch of steps per sample.",
  "Setup (allocation, copies, TF.js variables) is outside the timed region; every implementation passes the correctness gate first, and timing continues from the post-gate state.",
  "wasm-* are checked bit-exact against simdopt's reference, js to a relative tolerance; TF.js is compared on speed only (its formulas differ from torch's: epsilon placement, defaults, Adagrad/Adadelta/RMSprop variants), checked only to be finite and to have moved.",
  "The gate compares the first min(size, 65536) and the last 4096 parameters (updates are element-wise, so the reference runs on just those).",
  "Effective GB/s counts (1 + 2 x arrays written) x element bytes per parameter (the steady-state traffic: every written array is also read, plus the gradient).",
  "The bandwidth reference is a Wasm SIMD read-modify-write kernel with the same streams and sizes; at small sizes it measures cache, not DRAM, bandwidth.",
  "x native and x native 2t are timed in alternating pairs against a long-lived native child on the same data (each side timing its own batches): the median of the pairs' ratios, with their smallest and largest in brackets.",
  "With a threaded implementation in the run, the bandwidth reference also runs on two threads (each moving half of every stream), timed in alternating pairs against one thread: what the memory system gives a second thread.",
];

export interface RunIO {
  progress: ProgressStream;
  argv?: string[];
}

export async function runBench(config: BenchConfig, io: RunIO): Promise<BenchResults> {
  const started = performance.now();
  const cases = config.optimizers.map(findCase);
  const impls = config.impls.map(findImpl);
  const total = config.sizes.length * cases.length * (impls.length + 1);
  const progress = new Progress(total, io.progress);
  const implInfo: Record<string, Record<string, unknown>> = {};
  const results: CaseResult[] = cases.map((c) => ({
    id: c.id,
    optimizer: c.optimizer,
    options: c.options,
    tfjs: c.tfjs,
    bytesPerParam: bytesPerParam(c, config.dtype),
    traffic: c.traffic,
    sizes: [],
  }));
  const noted = new Set<string>();

  for (const size of config.sizes) {
    progress.phase(`${formatSize(size)}: making data`);
    const data = makeData(size, config.dtype);
    const bandwidthCache = new Map<number, BandwidthResult>();
    for (const [ci, c] of cases.entries()) {
      const label = `${c.id} ${formatSize(size)}`;
      // Bandwidth reference for this traffic pattern and size (shared by cases with the same traffic).
      progress.start(`${label} bandwidth`);
      let bw = bandwidthCache.get(c.written);
      if (bw === undefined) {
        const nbytes = size * bytesPerElement(config.dtype);
        const kernel = createBandwidthKernel(c.written, nbytes);
        await settleHeap();
        const m = measure(kernel.step, config.timing);
        let twoThreads: PairedRatio | null = null;
        if (config.impls.includes(THREADS_ID)) {
          progress.phase("the same on two threads, timed in pairs");
          try {
            twoThreads = await pairedBandwidth(c.written, nbytes, config.timing, m.medianMs);
          } catch (error) {
            // A report without the memory figure, rather than no report.
            const key = `two-thread bandwidth: ${(error as Error).message}`;
            if (!noted.has(key)) {
              noted.add(key);
              progress.note(`the two-thread bandwidth reference did not run: ${(error as Error).message}`);
            }
          }
        }
        kernel.dispose();
        bw = {
          streams: { readOnly: 1, readModifyWrite: c.written },
          bytesPerParam: bytesPerParam(c, config.dtype),
          medianMs: m.medianMs,
          minMs: m.minMs,
          maxMs: m.maxMs,
          samples: m.samples,
          batch: m.batch,
          gbPerSec: kernel.bytes / (m.medianMs * 1e6),
          tinybench: m.tinybench,
          twoThreads,
        };
        bandwidthCache.set(c.written, bw);
      }
      progress.tick();

      const references = new Map<string, Promise<FloatArray>>(); // by rounding, computed when needed
      const expectedFor = (rounding: Impl["referenceRounding"]) => {
        if (!references.has(rounding)) references.set(rounding, referenceAtGate(c, data, rounding));
        return references.get(rounding)!;
      };
      const implResults: ImplResult[] = [];
      for (const impl of impls) {
        progress.start(`${label} ${impl.id}`);
        const limit = config.sizeLimits[impl.id];
        if (limit !== undefined && size > limit.maxSize) {
          implResults.push({ impl: impl.id, status: "skipped", reason: limit.reason });
          const key = `${impl.id}: ${limit.reason}`;
          if (!noted.has(key)) {
            noted.add(key);
            progress.note(`${impl.id} ${limit.reason}`);
          }
          progress.tick();
          continue;
        }
        const reason = await impl.unavailable(c, config.dtype);
        implInfo[impl.id] ??= { ...(await impl.describe()), check: impl.check };
        if (reason !== null) {
          implResults.push({ impl: impl.id, status: "n/a", reason });
          const key = `${impl.id}: ${reason}`;
          if (!noted.has(key)) {
            noted.add(key);
            progress.note(`${impl.id} n/a for ${c.id}: ${reason}`);
          }
          progress.tick();
          continue;
        }
        progress.phase("setting up");
        const stepper = await impl.setup(c, data);
        try {
          const steps = impl.check === "sanity" ? 1 : GATE_STEPS;
          progress.phase("checking against the reference");
          const t0 = performance.now();
          const expected = await expectedFor(impl.referenceRounding);
          runGate(
            { impl: impl.id, check: impl.check, caseId: c.id, dtype: config.dtype, size, steps },
            stepper,
            expected,
            data,
          );
          const gateStepMs = (performance.now() - t0) / steps;
          progress.phase("timing");
          await settleHeap();
          const m = stepper.measureSelf?.(config.timing) ?? measure(stepper.step, config.timing, gateStepMs);
          implResults.push({
            impl: impl.id,
            status: "ok",
            check: impl.check,
            gateSteps: steps,
            medianMs: m.medianMs,
            minMs: m.minMs,
            maxMs: m.maxMs,
            meanMs: m.meanMs,
            samples: m.samples,
            batch: m.batch,
            tinybench: m.tinybench,
            warmupSteps: m.warmupSteps,
          });
        } finally {
          stepper.dispose();
        }
        progress.tick();
      }
      const sizeResult = derive(size, bytesPerParam(c, config.dtype), bw, implResults);
      sizeResult.threadsPaired = await pairThreads(c, data, implResults, config.timing, () =>
        progress.phase("two threads against one, timed in pairs"),
      );
      try {
        sizeResult.nativePaired = await pairNative(c, data, implResults, bw, config.timing, (subject, native) =>
          progress.phase(`${subject} against ${native}, timed in pairs`),
        );
      } catch (error) {
        // A report without the paired ratios (the native rows' own medians stay), rather than no report.
        sizeResult.nativePaired = null;
        progress.note(`${label}: the pairs against native C did not run: ${(error as Error).message}`);
      }
      results[ci].sizes.push(sizeResult);
    }
  }
  let manyTensors: LayoutResult[] | null = null;
  if (config.manyTensors) {
    manyTensors = await runManyTensors(config.timing, (label) => progress.phase(`adam ${label} tensors: timing`));
  }
  let sparseRows: SparseRowsResult[] | null = null;
  if (config.sparseRows) {
    const table = { ...SPARSE_TABLE, rows: config.sparseTableRows };
    sparseRows = await runSparseRows(config.timing, (label) => progress.phase(label), table);
  }
  const lowBitState = config.lowBitState ? await runLowBitState(config.timing, (label) => progress.phase(label)) : null;
  const capacity = config.capacity ? await runCapacity((label) => progress.phase(label)) : null;
  progress.finish();
  // Descriptions of impls that were never reached (e.g. every case n/a) are still recorded.
  for (const impl of impls) implInfo[impl.id] ??= { ...(await impl.describe()), check: impl.check };

  return {
    schema: "simdopt-bench/1",
    date: new Date().toISOString(),
    profile: config.profile,
    dtype: config.dtype,
    argv: io.argv ?? [],
    environment: environment(),
    versions: versions(),
    impls: implInfo,
    timing: { ...config.timing, statistic: "median (tinybench latency p50) per step" },
    sizeLimits: config.sizeLimits,
    gate: {
      steps: GATE_STEPS,
      tfjsSteps: 1,
      prefix: GATE_PREFIX,
      tail: GATE_TAIL,
      jsTolerance: tolerance(config.dtype),
      wasm: "bit-exact",
      tfjs: "finite and moved (speed only)",
      reference: "simdopt loadRuntime({ binary: 'reference' })",
    },
    notes: NOTES,
    cases: results,
    manyTensors,
    sparseRows,
    lowBitState,
    capacity,
    wallTimeSec: (performance.now() - started) / 1000,
  };
}

/**
 * Adds the derived columns (throughput, GB/s, speed-ups, % of bandwidth, the ratio of medians to
 * one thread) to one size's results; the ratios to native code are timed in pairs (native-paired.ts).
 */
export function derive(size: number, bytes: number, bw: BandwidthResult, impls: ImplResult[]): SizeResult {
  const ok = impls.filter((r) => r.status === "ok");
  const js = ok.find((r) => r.impl === "js");
  const tfjs = ok.filter((r) => TFJS_IDS.includes(r.impl)).sort((a, b) => a.medianMs! - b.medianMs!)[0];
  const medianOf = (id: string | undefined) => ok.find((r) => r.impl === id)?.medianMs;
  const versus = (id: string | undefined, t: number) => {
    const reference = medianOf(id);
    return reference === undefined ? null : reference / t;
  };
  for (const r of ok) {
    const t = r.medianMs!;
    r.mParamsPerSec = size / (t * 1e3);
    r.gbPerSec = (bytes * size) / (t * 1e6);
    r.speedupVsJs = js ? js.medianMs! / t : null;
    r.speedupVsBestTfjs = tfjs ? tfjs.medianMs! / t : null;
    r.pctBandwidth = (100 * bw.medianMs) / t;
    if (r.impl in ONE_THREAD_OF) r.vsOneThread = versus(ONE_THREAD_OF[r.impl], t);
  }
  return { size, bandwidth: bw, impls, bestTfjs: tfjs?.impl ?? null };
}
