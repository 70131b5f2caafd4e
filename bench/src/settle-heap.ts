/**
 * A full garbage collection before each timed block. Setting up a large case leaves hundreds of
 * megabytes of garbage, and V8 collects it with helper threads (concurrent marking and sweeping)
 * that can take the second core while two threads are being timed: in runs without this, about
 * one threaded 16M case in six paired at 1.1× where the medians of the same run gave 1.6×. Node
 * exposes `gc` once `--expose-gc` is set for the process (a fresh context then has it); where the
 * runtime does not (Deno), this does nothing.
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

/** Collects the garbage now, where the runtime allows it (see the module comment). */
export function settleHeap(): void {
  collector?.();
}
