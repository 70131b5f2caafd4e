// The page's own Web Worker (a browser's main thread may not block, so threads run from a worker):
// simdopt as a user's bundle includes it; the report goes back to the page, with what
// `threads: "auto"` started here and the cores the browser reports.
import { createOptimizer, loadRuntime } from "simdopt";
import { compute } from "./compute.js";

async function report() {
  const auto = await loadRuntime();
  const autoThreads = await auto.startThreads();
  auto.close();
  return { ...(await compute({ loadRuntime, createOptimizer })), autoThreads, cores: navigator.hardwareConcurrency };
}

report().then(
  (result) => postMessage(result),
  (error) => postMessage({ error: String(error?.stack ?? error) }),
);
