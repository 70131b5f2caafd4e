/**
 * The entry of a worker thread through `node:worker_threads` (Node, Deno, Bun; host-node.ts starts
 * it): the init arrives as workerData.
 */
import { workerData } from "node:worker_threads";
import type { WorkerInit } from "./control.js";
import { serve } from "./worker-serve.js";

await serve((workerData as { simdopt: WorkerInit }).simdopt);
