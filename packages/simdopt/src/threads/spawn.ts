/**
 * Starting worker threads wherever the package runs. The start-up is the host's: `#threads/host`
 * is host-node.ts under Node, Deno and Bun (package.json `imports`, conditions "node" and "deno")
 * and host-web.ts elsewhere (browsers, and every bundle for them), so that no `node:` import is
 * reachable in a browser build. Here: what both give, and whether this thread may block in
 * `Atomics.wait` (a browser's main thread may not).
 */
import type { WorkerInit } from "./control.js";

/** A started worker: how it ends, and how to end it. */
export interface WorkerHandle {
  terminate(): void;
}

/** Called once when a worker ends or fails outside a step; `reason` says how. */
export type OnWorkerEnd = (reason: string) => void;

export type SpawnWorker = (init: WorkerInit, onEnd: OnWorkerEnd) => WorkerHandle;

/** What a host module gives: how to start a worker (or why it cannot), and the number of cores. */
export interface ThreadHost {
  /** A function that starts a worker, or, where workers are missing, the reason. */
  workerSpawner(): Promise<SpawnWorker | string>;
  /** The number of logical cores (1 when the engine does not say). */
  coreCount(): number;
}

/** True when this thread may wait in `Atomics.wait` (false on a browser's main thread). */
export function canBlock(): boolean {
  if (typeof SharedArrayBuffer !== "function") return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0);
    return true;
  } catch {
    return false;
  }
}
