// What every optax preset shares: its class over its definition, and the refusal of an option
// value that is not mapped yet.
import { Optimizer, type AnyOptimizerDefinition, type ParamsInput } from "../../optimizer.js";
import type { OptionChecker } from "../../runtime/validate.js";

/** A class over a preset's definition: `new OptaxAdam(params, options)`. */
export type PresetClass<O extends object> = new (params: ParamsInput<O>, options?: O) => Optimizer<O>;

export function presetClass<O extends object>(definition: AnyOptimizerDefinition<O>): PresetClass<O> {
  return class extends Optimizer<O> {
    constructor(params: ParamsInput<O>, options: O = {} as O) {
      super(params, options, definition);
    }
  };
}

export function notYet(check: OptionChecker, name: string, value: unknown, off: boolean | number): void {
  if (typeof off === "boolean")
    check.boolean(name, value); // a wrong type is a TypeError first
  else check.number(name, value);
  if (value !== off) check.fail(`option '${name}' = ${String(value)} is not supported yet (only ${String(off)})`);
}
