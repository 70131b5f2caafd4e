/**
 * The threads summary: for every case and size, what a second thread gives (`wasm-simd-threads` ÷
 * `wasm-simd`; `native-2t` ÷ `native` and the two-thread bandwidth reference for what the machine
 * allows), checked against the targets the benchmark holds simdopt to.
 */
import { formatSize } from "../progress.js";
import type { BenchResults, ImplResult, SizeResult } from "../run.js";
import { ONE_THREAD_OF } from "../impls/registry.js";
import { pct, ratio } from "./format.js";

/** Smallest `wasm-simd-threads` ÷ `wasm-simd` allowed, by size; sizes not listed have no target. */
export const THREAD_TARGETS: ReadonlyMap<number, number> = new Map([
  [4096, 0.95],
  [1 << 20, 1.8],
  [1 << 24, 1.8],
]);

/** The one-thread counterpart of `wasm-simd-threads`, whose % of bandwidth the shares start from. */
const ONE_THREAD_ID = ONE_THREAD_OF["wasm-simd-threads"];

/** Smallest `wasm-simd-threads` ÷ `native-2t` allowed for Adam at 16M. */
export const ADAM_NATIVE_TARGET = 0.8;

function result(s: SizeResult, impl: string): ImplResult | undefined {
  return s.impls.find((r) => r.impl === impl && r.status === "ok");
}

/** Two threads over one: the paired ratio where it was timed, else the ratio of the two medians. */
export function threadsOverOne(s: SizeResult): number | null {
  return s.threadsPaired?.ratio ?? result(s, "wasm-simd-threads")?.vsOneThread ?? null;
}

/** native-2t over native: paired where it was timed in pairs, else the ratio of the two medians. */
export function nativeTwoOverOne(s: SizeResult): number | null {
  return s.nativePaired?.["native-2t"]?.ratio ?? result(s, "native-2t")?.vsOneThread ?? null;
}

/** The bandwidth reference's two threads over one at this size (same traffic as the case). */
export function memoryTwoOverOne(s: SizeResult): number | null {
  return s.bandwidth.twoThreads?.ratio ?? null;
}

/** Two threads' speed (`over` one thread's) as a share of the two-thread bandwidth reference. */
function ofTwoThreadBandwidth(s: SizeResult, over: number): number | null {
  const memory = memoryTwoOverOne(s);
  const oneThreadPct = result(s, ONE_THREAD_ID)?.pctBandwidth;
  return memory == null || oneThreadPct == null ? null : ((oneThreadPct / 100) * over) / memory;
}

export interface TargetCheck {
  what: string;
  value: number;
  target: number;
  met: boolean;
  /** For a threads-over-one target: what the bandwidth reference gained from a second thread. */
  memory?: number | null;
  /**
   * For a threads-over-one target: the threaded speed as a share of the two-thread bandwidth
   * reference (one thread's % of bandwidth × this ratio ÷ `memory`), 1 where it moves as much.
   */
  ofTwoThreadBandwidth?: number | null;
}

/** Every target this run has the measurements for. */
export function targetChecks(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const c of r.cases) {
    for (const s of c.sizes) {
      const threads = result(s, "wasm-simd-threads");
      const target = THREAD_TARGETS.get(s.size);
      const value = threadsOverOne(s);
      if (value !== null && target !== undefined) {
        checks.push({
          what: `${c.id} ${formatSize(s.size)} threads ÷ one thread`,
          value,
          target,
          met: value >= target,
          memory: memoryTwoOverOne(s),
          ofTwoThreadBandwidth: ofTwoThreadBandwidth(s, value),
        });
      }
      const xNative2t = s.nativePaired?.["wasm-simd-threads"]?.ratio;
      if (c.id === "adam" && s.size === 1 << 24 && threads !== undefined && xNative2t !== undefined) {
        const value = xNative2t;
        checks.push({
          what: "adam 16M threads ÷ native-2t",
          value,
          target: ADAM_NATIVE_TARGET,
          met: value >= ADAM_NATIVE_TARGET,
        });
      }
    }
  }
  return checks;
}

/**
 * A missed target, with what the memory system itself gained from a second thread there and how
 * much of the two-thread bandwidth the two threads reached.
 */
function describeMiss(x: TargetCheck): string {
  const notes = [
    ...(x.memory == null ? [] : [`memory ${ratio(x.memory)}`]),
    ...(x.ofTwoThreadBandwidth == null ? [] : [`${pct(100 * x.ofTwoThreadBandwidth)} of two-thread bandwidth`]),
  ];
  const noted = notes.length === 0 ? "" : ` (${notes.join(", ")})`;
  return `${x.what} ${ratio(x.value)}${noted}`;
}

/** The markdown section, or nothing when the run had no threaded implementation. */
export function threadLines(r: BenchResults): string[] {
  const sizes = [...new Set(r.cases.flatMap((c) => c.sizes.map((s) => s.size)))].sort((a, b) => a - b);
  const cell = (s: SizeResult | undefined) => {
    const wasm = s && threadsOverOne(s);
    if (wasm == null) return "";
    const native = s && nativeTwoOverOne(s);
    const memory = s && memoryTwoOverOne(s);
    const machine = [
      ...(native == null ? [] : [`native ${ratio(native)}`]),
      ...(memory == null ? [] : [`memory ${ratio(memory)}`]),
    ];
    return machine.length === 0 ? ratio(wasm) : `${ratio(wasm)} (${machine.join(", ")})`;
  };
  const rows = r.cases.map((c) => [c.id, ...sizes.map((size) => cell(c.sizes.find((s) => s.size === size)))]);
  if (rows.every((row) => row.slice(1).every((x) => x === ""))) return [];
  const checks = targetChecks(r);
  const missed = checks.filter((x) => !x.met);
  return [
    "## Threads",
    "",
    "Speed on two threads over speed on one, from this run: `wasm-simd-threads` ÷ `wasm-simd` (timed in alternating pairs, the median of the pairs' ratios), and in brackets what the machine gives a second thread: `native-2t` ÷ `native` (timed in pairs) and the bandwidth reference with the case's traffic on two threads over one (timed in pairs).",
    "",
    `| case | ${sizes.map(formatSize).join(" | ")} |`,
    `|---|${sizes.map(() => "--:").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
    checks.length === 0
      ? "No target applies to the sizes of this run."
      : `Targets (≥ ${[...THREAD_TARGETS].map(([size, t]) => `${t}× at ${formatSize(size)}`).join(", ")}; Adam at 16M ≥ ${ADAM_NATIVE_TARGET}× native-2t): ` +
        `${checks.length - missed.length} of ${checks.length} met` +
        (missed.length === 0 ? "." : `; missed: ${missed.map(describeMiss).join(", ")}.`),
    "",
  ];
}
