import type { createOptimizer, loadRuntime } from "simdopt";

/** What compute() reports: the threads that ran, the binary, the split calls, and each result's bits. */
export interface ComputeReport {
  threads: number;
  build: string;
  splitCalls: number;
  results: Record<string, number[]>;
}

export function compute(simdopt: {
  loadRuntime: typeof loadRuntime;
  createOptimizer: typeof createOptimizer;
}): Promise<ComputeReport>;
