/**
 * The runtime's thread options: how many threads a runtime steps on, checked against what this
 * engine and this thread allow, and the table size below which a call stays on the calling thread.
 */
import { coreCount, workerSpawner } from "#threads/host";
import { canBlock, type SpawnWorker } from "./spawn.js";

/** `auto` (the default): every core where shared memory, workers and blocking waits exist, else 1. */
export type ThreadsOption = number | "auto";

/**
 * Elements in a tensor table below which its kernel call runs on the calling thread alone: under
 * it, waking the workers costs more than they save. Measured on 2 shared cores: at 64K elements
 * two threads were 0.4x to 0.9x one thread (a step takes 8 to 50 µs there, a wake-up a good part
 * of that), at 1M 1.2x to 2x.
 */
export const DEFAULT_THREAD_MIN_ELEMENTS = 262144;
export const MAX_THREADS = 64;

/** What a runtime's threads resolve to: the count, and how to start workers when it is above 1. */
export interface ResolvedThreads {
  threads: number;
  spawn?: SpawnWorker;
  /** The option was `auto`: workers that do not start are left out quietly (pool.ts). */
  auto: boolean;
}

/**
 * Resolves the `threads` option. `auto` falls back to 1 quietly; an explicit count above 1 that
 * cannot be honoured throws, saying why.
 */
export async function resolveThreads(
  option: ThreadsOption,
  wasm: boolean,
  sharedMemory: boolean,
): Promise<ResolvedThreads> {
  if (option !== "auto" && !(Number.isInteger(option) && option >= 1 && option <= MAX_THREADS)) {
    throw new TypeError(
      `simdopt: option 'threads' must be 'auto' or a whole number from 1 to ${MAX_THREADS}, got ${String(option)}`,
    );
  }
  const wanted = option === "auto" ? Math.min(coreCount(), MAX_THREADS) : option;
  if (wanted === 1) return { threads: 1, auto: option === "auto" };
  const refuse = (reason: string): ResolvedThreads => {
    if (option === "auto") return { threads: 1, auto: true };
    throw new Error(`simdopt: option 'threads' is ${option}, but ${reason}; pass threads: 1 (or 'auto')`);
  };
  if (!wasm) return refuse("the plain-JS reference binary runs on the calling thread only");
  if (!sharedMemory) {
    return refuse(
      "the memory is not shared (sharedMemory: false, or no SharedArrayBuffer: a browser page must be cross-origin isolated)",
    );
  }
  if (!canBlock()) {
    return refuse(
      "this thread may not wait in Atomics.wait (a browser's main thread): run simdopt inside a worker to use threads",
    );
  }
  const spawn = await workerSpawner();
  if (typeof spawn === "string") return refuse(spawn);
  return { threads: wanted, spawn, auto: option === "auto" };
}

/** Checks the `threadMinElements` option. */
export function checkThreadMinElements(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`simdopt: option 'threadMinElements' must be a whole number of elements, got ${String(value)}`);
  }
  return value;
}
