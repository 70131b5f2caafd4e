/**
 * The benchmark cases: one optimizer configuration each, the same for every implementation.
 *
 * `written` is the number of arrays a step writes (the parameter plus every state buffer); every
 * one of them is also read, and so is the gradient. A step therefore moves
 * `(1 + 2·written) × bytesPerElement` bytes per parameter in steady state: Adam float32 reads
 * param, grad, m, v and writes param, m, v = 7 × 4 = 28 bytes. This is the traffic the
 * "effective GB/s" column counts and the traffic the bandwidth reference reproduces.
 */
import type { OptimizerName } from "simdopt";
import type { TfjsOptimizerName, TfjsOptions } from "./baselines/tfjs.js";

export type Dtype = "float32" | "float64";

export interface BenchCase {
  /** The name used on the command line and in the reports. */
  id: string;
  /** The simdopt optimizer (createOptimizer name). */
  optimizer: OptimizerName;
  /** simdopt / torch-style options (camelCase), used by every implementation. */
  options: Record<string, unknown>;
  /** The TF.js optimizer doing the same kind of update, or null when TF.js has none ("n/a"). */
  tfjs: { name: TfjsOptimizerName; options: TfjsOptions } | null;
  /** Arrays written per step (parameter + state buffers); see the file comment. */
  written: number;
  /** The arrays read and written, for the report. */
  traffic: string;
}

export const CASES: readonly BenchCase[] = [
  {
    id: "sgd",
    optimizer: "sgd",
    options: { lr: 1e-3 },
    tfjs: { name: "sgd", options: { lr: 1e-3 } },
    written: 1,
    traffic: "r: p, g; w: p",
  },
  {
    id: "momentum",
    optimizer: "sgd",
    options: { lr: 1e-3, momentum: 0.9 },
    tfjs: { name: "momentum", options: { lr: 1e-3, momentum: 0.9 } },
    written: 2,
    traffic: "r: p, g, buf; w: p, buf",
  },
  {
    id: "adam",
    optimizer: "adam",
    options: { lr: 1e-3 },
    tfjs: { name: "adam", options: { lr: 1e-3 } },
    written: 3,
    traffic: "r: p, g, m, v; w: p, m, v",
  },
  {
    id: "adamw",
    optimizer: "adamw",
    options: { lr: 1e-3, weightDecay: 1e-2 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, m, v; w: p, m, v",
  },
  {
    id: "adamax",
    optimizer: "adamax",
    options: { lr: 2e-3 },
    tfjs: { name: "adamax", options: { lr: 2e-3 } },
    written: 3,
    traffic: "r: p, g, m, u; w: p, m, u",
  },
  {
    id: "nadam",
    optimizer: "nadam",
    options: { lr: 2e-3 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, m, v; w: p, m, v",
  },
  {
    id: "radam",
    optimizer: "radam",
    options: { lr: 1e-3 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, m, v; w: p, m, v",
  },
  {
    id: "adagrad",
    optimizer: "adagrad",
    options: { lr: 1e-2 },
    tfjs: { name: "adagrad", options: { lr: 1e-2 } },
    written: 2,
    traffic: "r: p, g, sum; w: p, sum",
  },
  {
    id: "adadelta",
    optimizer: "adadelta",
    options: { lr: 1.0 },
    tfjs: { name: "adadelta", options: { lr: 1.0 } },
    written: 3,
    traffic: "r: p, g, sq, acc; w: p, sq, acc",
  },
  {
    id: "rmsprop",
    optimizer: "rmsprop",
    options: { lr: 1e-2 },
    tfjs: { name: "rmsprop", options: { lr: 1e-2 } },
    written: 2,
    traffic: "r: p, g, sq; w: p, sq",
  },
  {
    id: "rprop",
    optimizer: "rprop",
    options: { lr: 1e-2 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, prev, step; w: p, prev, step",
  },
  {
    id: "lion",
    optimizer: "lion",
    options: { lr: 1e-4, weightDecay: 0.1 },
    tfjs: null,
    written: 2,
    traffic: "r: p, g, m; w: p, m",
  },
  {
    id: "asgd",
    optimizer: "asgd",
    options: { lr: 1e-2, t0: 0 },
    tfjs: null,
    written: 2,
    traffic: "r: p, g, ax; w: p, ax",
  },
  {
    id: "ftrl",
    optimizer: "ftrl",
    options: { learningRate: 1e-3, l1RegularizationStrength: 1e-4 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, n, z; w: p, n, z",
  },
  {
    // Two passes over each tensor (moments and block sums of the norms, then the update; on several
    // threads two phases with a join between them): the traffic counts one.
    id: "lamb",
    optimizer: "lamb",
    options: { lr: 1e-3, weightDecay: 1e-2 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, m, v; w: p, m, v (+ a second pass: r: p, m, v; w: p)",
  },
  {
    // A 1-D parameter: the full second moment; two passes (‖p‖, v and ‖u‖ per block; the update), on
    // several threads four phases with a join between them: the traffic counts one.
    id: "adafactor",
    optimizer: "adafactor",
    options: { lr: 1e-2 },
    tfjs: null,
    written: 2,
    traffic: "r: p, g, v; w: p, v (+ passes for ‖p‖ and the update)",
  },
  {
    // z is the state beside v; the parameter holds y (train mode).
    id: "schedulefree-adamw",
    optimizer: "schedulefree:adamw",
    options: { lr: 2.5e-3, weightDecay: 1e-2 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, z, v; w: p, z, v",
  },
  {
    id: "keras-adam",
    optimizer: "keras:adam",
    options: { learningRate: 1e-3 },
    tfjs: null,
    written: 3,
    traffic: "r: p, g, m, v; w: p, m, v",
  },
  {
    id: "optax-lion",
    optimizer: "optax:lion",
    options: { learningRate: 1e-4 },
    tfjs: null,
    written: 2,
    traffic: "r: p, g, m; w: p, m",
  },
  {
    // The same update as TF.js's own tf.train.adam (ε bias-corrected, the backend's 1e-7).
    id: "tfjs-adam",
    optimizer: "tfjs:adam",
    options: { learningRate: 1e-3 },
    tfjs: { name: "adam", options: { lr: 1e-3, eps: 1e-7 } },
    written: 3,
    traffic: "r: p, g, m, v; w: p, m, v",
  },
];

export const CASE_IDS: readonly string[] = CASES.map((c) => c.id);

export function findCase(id: string): BenchCase {
  const found = CASES.find((c) => c.id === id);
  if (found === undefined) throw new Error(`unknown optimizer case '${id}' (known: ${CASE_IDS.join(", ")})`);
  return found;
}

export function bytesPerElement(dtype: Dtype): number {
  return dtype === "float64" ? 8 : 4;
}

/** Bytes read + written per parameter per step (steady state). */
export function bytesPerParam(c: BenchCase, dtype: Dtype): number {
  return (1 + 2 * c.written) * bytesPerElement(dtype);
}
