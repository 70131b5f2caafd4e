/**
 * Starting worker threads wherever the package runs. Where `node:worker_threads` exists (Node,
 * Deno) it is used, and each worker is unref'd so that it never keeps the process alive (a Deno
 * Web Worker would: Deno has no unref for those). Elsewhere (browsers) a module Web Worker, which
 * lives as long as its page. Also: whether this thread may block in `Atomics.wait` (a browser's
 * main thread may not), and how many cores there are.
 */
import type { WorkerInit } from "./control.js";

/** A started worker: how it ends, and how to end it. */
export interface WorkerHandle {
  terminate(): void;
}

/** Called once when a worker ends or fails outside a step; `reason` says how. */
export type OnWorkerEnd = (reason: string) => void;

export type SpawnWorker = (init: WorkerInit, onEnd: OnWorkerEnd) => WorkerHandle;

const WORKER_URL = new URL("./worker.js", import.meta.url);

interface NodeProcess {
  versions?: { node?: string };
}
const nodeLike = typeof (globalThis as { process?: NodeProcess }).process?.versions?.node === "string";

/** A function that starts a worker, or, where workers are missing, the reason. */
export async function workerSpawner(): Promise<SpawnWorker | string> {
  // Deno starts a worker only from a module it may read: without --allow-read the worker would
  // fail at its first step, so say so now (threads: "auto" then steps on one thread).
  if (denoPermission("read", WORKER_URL) === "denied") {
    return "Deno may not read the worker module (run with --allow-read)";
  }
  if (nodeLike) {
    try {
      const { Worker } = await import("node:worker_threads");
      return (init, onEnd) => {
        // The worker only loads this package's modules: the parent's flags (--input-type, loaders) may not suit it.
        const worker = new Worker(WORKER_URL, { workerData: { simdopt: init }, execArgv: [] });
        worker.unref();
        worker.on("error", (error) => onEnd(`threw: ${error.message}`));
        worker.on("exit", (code) => onEnd(`exited with code ${code}`));
        return { terminate: () => void worker.terminate() };
      };
    } catch (error) {
      return `node:worker_threads failed to load (${(error as Error).message})`;
    }
  }
  if (typeof Worker !== "function") return "this engine has no Worker";
  return (init, onEnd) => {
    const worker = new Worker(WORKER_URL, { type: "module" });
    worker.addEventListener("error", (event) => onEnd(`threw: ${event.message}`));
    worker.addEventListener("message", (event: MessageEvent<{ failed?: string }>) => {
      if (event.data?.failed !== undefined) onEnd(`failed to start: ${event.data.failed}`);
    });
    worker.postMessage(init);
    return { terminate: () => worker.terminate() };
  };
}

interface DenoPermissions {
  querySync(descriptor: { name: string; path?: string | URL }): { state: string };
}

/** Under Deno, "granted" or "denied" (a permission it would prompt for counts as denied); elsewhere undefined. */
function denoPermission(name: string, path: URL): "granted" | "denied" | undefined {
  const permissions = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;
  if (typeof permissions?.querySync !== "function") return undefined;
  try {
    return permissions.querySync({ name, path }).state === "granted" ? "granted" : "denied";
  } catch {
    return "denied";
  }
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

/** The number of logical cores (1 when the engine does not say). */
export async function coreCount(): Promise<number> {
  const navigatorCount = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  if (typeof navigatorCount === "number" && navigatorCount > 0) return navigatorCount;
  if (nodeLike) {
    const os = await import("node:os");
    return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  }
  return 1;
}
