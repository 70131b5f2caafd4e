/**
 * Low-bit optimizer state: Adam with float32, bfloat16 and 8-bit moments on the same float32
 * parameters, one thread, simdopt's default runtime, each format's speed as a ratio to float32
 * Adam's in the same run; and the capacity of one 4 GiB Wasm memory in parameters with their Adam
 * state, per format, found by allocating tensors until the memory cannot grow.
 */
import { Adam, loadRuntime, type Parameter } from "simdopt";

import type { TimingSettings } from "./args.js";
import { makeData } from "./data.js";
import { measure, type Measurement } from "./timing.js";

export type StateFormat = "float32" | "bfloat16" | "8bit";

/** An 8-bit block's two float32 maxima (m's and v's), per parameter of a block of 256. */
const MAXIMA_PER_PARAM = (2 * 4) / 256;

/**
 * Bytes per parameter of each format with float32 parameters and gradients: moved by a step in
 * steady state (p and g read, p written, each moment read and written) and resident (p, g, state).
 */
export const STATE_FORMATS: readonly { state: StateFormat; moved: number; resident: number }[] = [
  { state: "float32", moved: 12 + 2 * 8, resident: 8 + 8 },
  { state: "bfloat16", moved: 12 + 2 * 4, resident: 8 + 4 },
  { state: "8bit", moved: 12 + 2 * (2 + MAXIMA_PER_PARAM), resident: 8 + 2 + MAXIMA_PER_PARAM },
];

/** The sizes the in-cache and the memory-bound ratios are judged at. */
export const LOW_BIT_SIZES: readonly number[] = [1 << 16, 1 << 24];

export interface LowBitResult {
  state: StateFormat;
  size: number;
  bytesMoved: number;
  bytesResident: number;
  measurement: Measurement;
  mParamsPerSec: number;
  gbPerSec: number;
  /** Speed relative to float32 Adam at the same size in the same run. */
  vsFloat32: number;
}

/** Times one Adam step (lr 1e-3) of one tensor per format and size, float32 first. */
export async function runLowBitState(
  timing: TimingSettings,
  onCase: (label: string) => void = () => {},
  sizes: readonly number[] = LOW_BIT_SIZES,
): Promise<LowBitResult[]> {
  const results: LowBitResult[] = [];
  for (const size of sizes) {
    const data = makeData(size, "float32");
    let float32Rate = 0;
    for (const format of STATE_FORMATS) {
      onCase(`adam ${format.state} state ${size}: timing`);
      const runtime = await loadRuntime({ threads: 1, initialMemory: Math.min(2 ** 31, 4 * 4 * size + (64 << 20)) });
      const param = runtime.parameter(data.params).setGrad(data.grads);
      const optimizer = new Adam([param], { lr: 1e-3, state: format.state });
      const measurement = measure(() => optimizer.step(), timing);
      optimizer.dispose();
      param.dispose();
      const mParamsPerSec = size / (measurement.medianMs * 1e3);
      if (format.state === "float32") float32Rate = mParamsPerSec;
      results.push({
        state: format.state,
        size,
        bytesMoved: format.moved,
        bytesResident: format.resident,
        measurement,
        mParamsPerSec,
        gbPerSec: (format.moved * size) / (measurement.medianMs * 1e6),
        vsFloat32: mParamsPerSec / float32Rate,
      });
    }
  }
  return results;
}

export interface CapacityResult {
  state: StateFormat;
  /** Parameters allocated with gradients and Adam state before the 4 GiB memory could not grow. */
  params: number;
  bytesResident: number;
}

/**
 * Per format, fills one runtime's memory (up to 4 GiB) with float32 parameters, their gradients and
 * Adam's state (allocated by the optimizer's constructor): tensors of 16M elements while they fit,
 * then of 1M, then of 64K (each whole 8-bit blocks). Counts the parameters that fit.
 */
export async function runCapacity(onFormat: (label: string) => void = () => {}): Promise<CapacityResult[]> {
  const results: CapacityResult[] = [];
  for (const format of STATE_FORMATS) {
    onFormat(`capacity of 4 GiB with ${format.state} state`);
    const runtime = await loadRuntime({ threads: 1 });
    const held: { param: Parameter<"float32">; optimizer: Adam }[] = [];
    let params = 0;
    for (const length of [1 << 24, 1 << 20, 1 << 16]) {
      for (;;) {
        let param: Parameter<"float32"> | undefined;
        try {
          param = runtime.parameter(length);
          const optimizer = new Adam([param], { lr: 1e-3, state: format.state });
          held.push({ param, optimizer });
          params += length;
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          param?.dispose();
          break;
        }
      }
    }
    for (const { param, optimizer } of held) {
      optimizer.dispose();
      param.dispose();
    }
    await runtime.close();
    results.push({ state: format.state, params, bytesResident: format.resident });
  }
  return results;
}
