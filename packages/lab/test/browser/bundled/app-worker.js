// The page's own Web Worker (a browser's main thread may not block, so threads run from a worker):
// simdopt as a user's bundle includes it; the report goes back to the page.
import { createOptimizer, loadRuntime } from "simdopt";
import { compute } from "./compute.js";

compute({ loadRuntime, createOptimizer }).then(
  (report) => postMessage(report),
  (error) => postMessage({ error: String(error?.stack ?? error) }),
);
