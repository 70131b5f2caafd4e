import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";
import {
  checkBlockSize,
  checkStateStorage,
  definitionForState,
  stateDefinition,
  type StateStorage,
} from "./state-storage.js";

/** Options of `Adam`, as torch.optim.Adam names them in camelCase; every one optional (defaults: `adamDefaults`). */
export interface AdamOptions {
  /** Learning rate γ. Default 1e-3. */
  lr?: number;
  /** Coefficients [β1, β2] of the running averages of the gradient and of its square. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term added to the denominator for numerical stability. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (coupled); AdamW decouples it. */
  weightDecay?: number;
  /** Decay the parameters by 1 − γλ instead of adding λθ to the gradient: AdamW (torch 2's option). */
  decoupledWeightDecay?: boolean;
  /** Use the maximum of the past second moments (AMSGrad). Default false. */
  amsgrad?: boolean;
  /** Ascend the objective instead of descending it (torch's `maximize`). Default false. */
  maximize?: boolean;
  /**
   * Compute as torch 1.13 did, where torch 2 changed the arithmetic: the first moment moves by m·β1 + (1 − β1)·g
   * (torch 2: `m.lerp_(g, 1 − β1)`, the default; float32 results differ in the last bits).
   */
  torch113?: boolean;
  /**
   * How m and v are stored between steps: `float32` (the default, torch's), or `bfloat16` (half
   * the bytes, rounded to nearest even after each step; the step itself uses the unrounded
   * moments, as torchao's and optax's do), or `8bit` (torchao's Adam8bit: a byte per moment and
   * a float32 maximum per block of `blockSize`, for tensors of at least 4096 elements in whole
   * blocks; smaller tensors keep float32 moments; no amsgrad), or `4bit` (torchao's Adam4bit: half
   * a byte per moment, blocks of 128 by default), or `fp8` (torchao's AdamFp8: a float8_e4m3fn
   * code per moment, each block scaled by its largest magnitude over 448). Set for the whole
   * optimizer (every group keeps it), and for float32 parameters only when not float32. A
   * checkpoint of another storage loads converted to this one (quantized, rounded, or dequantized
   * exactly).
   */
  state?: StateStorage;
  /**
   * Elements per block of `8bit`, `4bit` or `fp8` state (torchao's block_size; even for `4bit`).
   * Default 256; 128 for `4bit`. Blocks of a multiple of 4 step fastest (whole SIMD vectors).
   */
  blockSize?: number;
}

/** `Adam`'s defaults (torch's): the options it takes when not given. */
export const adamDefaults: Required<AdamOptions> = deepFreeze({
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  amsgrad: false,
  maximize: false,
  torch113: false,
  state: "float32",
  blockSize: 256,
});

/**
 * The checks, buffers and per-step scalars shared by Adam and AdamW (one kernel serves both).
 * `alwaysDecoupled`: AdamW, whose weight decay is decoupled whatever `decoupledWeightDecay` says.
 */
export function adamFamily(
  title: string,
  defaults: Required<AdamOptions>,
  alwaysDecoupled: boolean,
): OptimizerDefinition<AdamOptions, "adam"> {
  return {
    title,
    kernel: "adam",
    defaults,
    validate(o, check) {
      check.nonNegative("lr", o.lr);
      check.nonNegative("eps", o.eps);
      check.betas(o.betas);
      check.nonNegative("weightDecay", o.weightDecay);
      if (!check.boolean("decoupledWeightDecay", o.decoupledWeightDecay) && alwaysDecoupled) {
        check.fail("option 'decoupledWeightDecay' cannot be false: AdamW's weight decay is decoupled (use Adam)");
      }
      check.boolean("amsgrad", o.amsgrad);
      check.boolean("maximize", o.maximize);
      check.boolean("torch113", o.torch113);
      checkStateStorage(check, o.state, "float32");
      checkBlockSize(check, o.blockSize);
    },
    buffers: (o) => ({ expAvg: 0, expAvgSq: 0, maxExpAvgSq: o.amsgrad ? 0 : null }),
    plan(o, t) {
      const [beta1, beta2] = o.betas;
      const biasCorrection1 = 1 - beta1 ** t;
      const biasCorrection2 = 1 - beta2 ** t;
      const decoupled = alwaysDecoupled || o.decoupledWeightDecay;
      return {
        scalars: {
          gradScale: gradScale(o.maximize),
          paramScale: decoupled ? 1 - o.lr * o.weightDecay : 1,
          weightDecay: decoupled ? 0 : o.weightDecay,
          beta1,
          oneMinusBeta1: 1 - beta1,
          beta2,
          oneMinusBeta2: 1 - beta2,
          biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
          eps: o.eps,
          negStepSize: -(o.lr / biasCorrection1),
        },
        flags: {
          decoupled: decoupled && o.weightDecay !== 0,
          coupled: !decoupled && o.weightDecay !== 0,
          amsgrad: o.amsgrad,
          withLerp: !o.torch113,
        },
      };
    },
  };
}

export const adamDefinition = adamFamily("Adam", adamDefaults, false);

/**
 * torchao's per-step scalars (its `_AdamBase.step`): the bias corrections 1 − β^t from β rounded
 * to float32 and raised in float32 (1.3e-5 relative from torch's double ones for β2 = 0.999 at
 * t = 1, which shows in steps divided by a second moment that 8-bit storage rounded near 0), and lr
 * as a float32 tensor. The blockwise storages, torchao's own, step with them.
 */
export function torchaoScalars(
  o: Required<AdamOptions>,
  t: number,
): { biasCorrection2Sqrt: number; negStepSize: number } {
  const f = Math.fround;
  const [beta1, beta2] = o.betas;
  const biasCorrection1 = f(1 - f(f(beta1) ** t));
  const biasCorrection2 = f(1 - f(f(beta2) ** t));
  return { biasCorrection2Sqrt: f(Math.sqrt(biasCorrection2)), negStepSize: -(f(o.lr) / biasCorrection1) };
}

/** Adam's definition for each storage of its state (see `AdamOptions.state`). */
export const adamStateDefinitions = {
  float32: adamDefinition,
  bfloat16: stateDefinition(adamDefinition, "bfloat16", "adamBf16"),
  "8bit": stateDefinition(adamDefinition, "8bit", "adam8bit", torchaoScalars),
  "4bit": stateDefinition(adamDefinition, "4bit", "adam4bit", torchaoScalars),
  fp8: stateDefinition(adamDefinition, "fp8", "adamFp8", torchaoScalars),
};

/**
 * Adam (Kingma & Ba, 2015, https://arxiv.org/abs/1412.6980), with AMSGrad (Reddi et al., 2018,
 * https://openreview.net/forum?id=ryQu7f-RZ), as torch.optim.Adam computes it:
 *
 *     g ← ∇ + λθ (or θ ← θ(1 − γλ) with decoupledWeightDecay, AdamW);   m ← β1·m + (1 − β1)g;   v ← β2·v + (1 − β2)g²;   v̂ ← max(v̂, v) (AMSGrad)
 *     θ ← θ − γ/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: AdamOptions & TrainingOptions = {}) {
    const chosen = definitionForState(adamStateDefinitions, options);
    super(params, chosen.options, chosen.definition);
  }
}
