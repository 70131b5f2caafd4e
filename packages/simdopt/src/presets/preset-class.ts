// The class every preset is: its definition under the framework's name.
import { Optimizer, type AnyOptimizerDefinition, type ParamsInput } from "../optimizer.js";

/** A class over a preset's definition: `new OptaxAdam(params, options)`. */
export type PresetClass<O extends object> = new (params: ParamsInput<O>, options?: O) => Optimizer<O>;

export function presetClass<O extends object>(definition: AnyOptimizerDefinition<O>): PresetClass<O> {
  return class extends Optimizer<O> {
    constructor(params: ParamsInput<O>, options: O = {} as O) {
      super(params, options, definition);
    }
  };
}
