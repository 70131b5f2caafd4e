/**
 * Worker threads through `node:worker_threads` (Node, Deno, Bun; selected by package.json
 * `imports`, see spawn.ts). Each worker is unref'd so that it never keeps the process alive (a Deno
 * Web Worker would: Deno has no unref for those), and runs worker-node.ts.
 */
import { availableParallelism, cpus } from "node:os";
import { Worker } from "node:worker_threads";
import type { ThreadHost } from "./spawn.js";

const WORKER_URL = new URL("./worker-node.js", import.meta.url);

export const workerSpawner: ThreadHost["workerSpawner"] = async () => {
  // Deno starts a worker only from a module it may read: without --allow-read the worker would
  // fail at its first step, so say so now (threads: "auto" then steps on one thread).
  if (denoPermission("read", WORKER_URL) === "denied") {
    return "Deno may not read the worker module (run with --allow-read)";
  }
  return (init, onEnd) => {
    // The worker only loads this package's modules: the parent's flags (--input-type, loaders) may not suit it.
    const worker = new Worker(WORKER_URL, {
      workerData: { simdopt: init },
      execArgv: [],
    });
    worker.unref();
    worker.on("error", (error) => onEnd(`threw: ${error.message}`));
    worker.on("exit", (code) => onEnd(`exited with code ${code}`));
    return { terminate: () => void worker.terminate() };
  };
};

export const coreCount: ThreadHost["coreCount"] = () => {
  return typeof availableParallelism === "function" ? availableParallelism() : cpus().length;
};

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
