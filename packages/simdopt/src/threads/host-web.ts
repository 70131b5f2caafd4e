/**
 * Worker threads as module Web Workers (browsers; selected by package.json `imports`, see
 * spawn.ts). The worker is started with the literal `new Worker(new URL("./worker.js",
 * import.meta.url), { type: "module" })`, the form Vite, webpack and Parcel recognise: they emit
 * worker.js and its imports as a worker entry of the bundle.
 */
import type { ThreadHost } from "./spawn.js";

export const workerSpawner: ThreadHost["workerSpawner"] = async () => {
  if (typeof Worker !== "function") return "this engine has no Worker";
  return (init, onEnd) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.addEventListener("error", (event) => onEnd(`threw: ${event.message ?? "failed to load"}`));
    worker.addEventListener("message", (event: MessageEvent<{ failed?: string }>) => {
      if (event.data?.failed !== undefined) onEnd(`failed to start: ${event.data.failed}`);
    });
    worker.postMessage(init);
    return { terminate: () => worker.terminate() };
  };
};

export const coreCount: ThreadHost["coreCount"] = () => {
  const count = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof count === "number" && count > 0 ? count : 1;
};
