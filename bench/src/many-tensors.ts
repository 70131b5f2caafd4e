/**
 * The many-tensor case: the same number of parameters as one tensor or as many small ones, stepped
 * by simdopt's default runtime. A parameter group is one Wasm call whatever its number of tensors,
 * so many small tensors should run nearly as fast as one large one; this measures how nearly, as
 * the ratio of each layout's throughput to the single tensor's in the same run.
 */
import { createOptimizer, loadRuntime } from "simdopt";

import type { TimingSettings } from "./args.js";
import { makeData } from "./data.js";
import { measure, type Measurement } from "./timing.js";

export interface Layout {
  tensors: number;
  length: number;
}

/** One tensor of 1M beside 1,000 of 1K and 10,000 of 100. */
export const LAYOUTS: readonly Layout[] = [
  { tensors: 1, length: 1 << 20 },
  { tensors: 1000, length: 1024 },
  { tensors: 10000, length: 100 },
];

export interface LayoutResult extends Layout {
  optimizer: string;
  label: string;
  params: number;
  measurement: Measurement;
  mParamsPerSec: number;
  /** Throughput relative to the first layout (one tensor). */
  vsOneTensor: number;
}

export function layoutLabel({ tensors, length }: Layout): string {
  const size = length >= 1 << 20 ? `${length / (1 << 20)}M` : length >= 1024 ? `${length / 1024}K` : String(length);
  return `${tensors.toLocaleString("en-US")} x ${size}`;
}

/** Times one Adam step (float32, simdopt's default runtime) for every layout. */
export async function runManyTensors(
  timing: TimingSettings,
  onLayout: (label: string) => void = () => {},
  layouts: readonly Layout[] = LAYOUTS,
): Promise<LayoutResult[]> {
  const results: LayoutResult[] = [];
  for (const layout of layouts) {
    const label = layoutLabel(layout);
    onLayout(label);
    const params = layout.tensors * layout.length;
    // One thread: this measures what many tensors cost a step, not how a step splits across threads.
    const runtime = await loadRuntime({ threads: 1, initialMemory: Math.min(2 ** 31, 6 * 4 * params + (64 << 20)) });
    const data = makeData(layout.length, "float32");
    const tensors = Array.from({ length: layout.tensors }, () => runtime.parameter(data.params).setGrad(data.grads));
    const optimizer = createOptimizer("adam", tensors, { lr: 1e-3 });
    const measurement = measure(() => optimizer.step(), timing);
    optimizer.dispose();
    for (const tensor of tensors) tensor.dispose();
    const mParamsPerSec = params / (measurement.medianMs * 1e3);
    results.push({
      ...layout,
      optimizer: "adam",
      label,
      params,
      measurement,
      mParamsPerSec,
      vsOneTensor: results.length === 0 ? 1 : mParamsPerSec / results[0].mParamsPerSec,
    });
  }
  return results;
}
