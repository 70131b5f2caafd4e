import { Optimizer, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { adamDefaults, adamFamily, torchaoScalars, type AdamOptions } from "./adam.js";
import { definitionForState, stateDefinition } from "./state-storage.js";
import { deepFreeze } from "../runtime/freeze.js";

/** Options of `AdamW`: Adam's, with `weightDecay` 1e-2 and `decoupledWeightDecay` true by default (`adamwDefaults`). */
export type AdamWOptions = AdamOptions;

/** `AdamW`'s defaults (torch's): the options it takes when not given. */
export const adamwDefaults: Required<AdamWOptions> = deepFreeze({
  ...adamDefaults,
  weightDecay: 1e-2,
  decoupledWeightDecay: true,
});

export const adamwDefinition = adamFamily("AdamW", adamwDefaults, true);

/** AdamW's definition for each storage of its state (see `AdamOptions.state`). */
export const adamwStateDefinitions = {
  float32: adamwDefinition,
  bfloat16: stateDefinition(adamwDefinition, "bfloat16", "adamBf16"),
  "8bit": stateDefinition(adamwDefinition, "8bit", "adam8bit", torchaoScalars),
  "4bit": stateDefinition(adamwDefinition, "4bit", "adam4bit", torchaoScalars),
  fp8: stateDefinition(adamwDefinition, "fp8", "adamFp8", torchaoScalars),
};

/**
 * AdamW (Loshchilov & Hutter, 2019, https://arxiv.org/abs/1711.05101): Adam with decoupled weight
 * decay, as torch.optim.AdamW computes it: θ ← θ(1 − γλ) first, then Adam's update without L2.
 */
export class AdamW extends Optimizer<AdamWOptions> {
  constructor(params: ParamsInput<AdamWOptions>, options: AdamWOptions & TrainingOptions = {}) {
    const chosen = definitionForState(adamwStateDefinitions, options);
    super(params, chosen.options, chosen.definition);
  }
}
