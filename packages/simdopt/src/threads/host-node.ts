/**
 * Worker threads through `node:worker_threads` (Node, Deno, Bun; selected by package.json
 * `imports`, see spawn.ts). Each worker is unref'd so that it never keeps the process alive (a Deno
 * Web Worker would: Deno has no unref for those), and runs worker-node.ts.
 */
import { availableParallelism, cpus } from "node:os";
import { Worker } from "node:worker_threads";
import type { ThreadHost } from "./spawn.js";

export const workerSpawner: ThreadHost["workerSpawner"] = async () => {
  return (init, onEnd) => {
    // The worker only loads this package's modules: the parent's flags (--input-type, loaders) may not suit it.
    const worker = new Worker(new URL("./worker-node.js", import.meta.url), {
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
