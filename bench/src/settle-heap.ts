/**
 * A full garbage collection before each timed block, then a pause while the collector's helper
 * threads finish. Setting up a large case leaves hundreds of megabytes of garbage (its buffers and
 * Wasm memories), and V8 collects and frees it with helper threads that can take the second core
 * while two threads are being timed: in runs without this, about one threaded 16M case in six
 * paired at 1.1× where the medians of the same run gave 1.6×. A collection right before timing,
 * without the pause, made it worse: the freeing then ran during the timed blocks, and two threads
 * at 1M gained as little as 1.0×. Node exposes `gc` once `--expose-gc` is set for the process (a
 * fresh context then has it); where the runtime does not (Deno), this does nothing.
 */
import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";
import { v8FlagsSet } from "./relaxed-simd.js";

const EXPOSE_GC_FLAG = "--expose-gc";

function findCollector(): (() => void) | null {
  const node = typeof process?.versions?.node === "string" && !("Deno" in globalThis);
  if (!node || process.env.SIMDOPT_BENCH_NO_FLAGS === "1") return null;
  try {
    v8.setFlagsFromString(EXPOSE_GC_FLAG);
    const gc: unknown = vm.runInNewContext("gc");
    if (typeof gc !== "function") return null;
    v8FlagsSet.push(EXPOSE_GC_FLAG);
    return gc as () => void;
  } catch {
    return null;
  }
}

const collector = findCollector();

/** Milliseconds to wait after a collection for its helper threads to finish freeing. */
const PAUSE_MS = 100;

/** Collects the garbage and waits for the freeing to end, where the runtime allows it (see the module comment). */
export async function settleHeap(): Promise<void> {
  if (collector === null) return;
  collector();
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
}
