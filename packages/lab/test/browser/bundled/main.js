// The page: simdopt on its main thread, where `threads: "auto"` must settle on one thread (a main
// thread may not block); then its worker, whose report, with the main thread's count, becomes
// window.report.
import { loadRuntime } from "simdopt";

const mainThreads = (await loadRuntime()).threads;
const worker = new Worker(new URL("./app-worker.js", import.meta.url), { type: "module" });
worker.onmessage = (event) => {
  window.report = { ...event.data, mainThreads };
};
worker.onerror = (event) => {
  window.report = { error: `the page's worker failed: ${event.message}` };
};
