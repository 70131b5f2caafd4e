/**
 * The plain-JS reference as a kernel table with the Wasm ABI, over views of the runtime's memory:
 * the third binary, slow and obviously right, that the Wasm kernels must match bit for bit.
 */
import { KERNEL_NAMES, type FloatArray, type Kernel, type KernelArg, type KernelName, type KernelTable } from "../runtime/kernels.js";
import { adadeltaReference } from "./adadelta.js";
import { adagradReference } from "./adagrad.js";
import { adamReference } from "./adam.js";
import { adamaxReference } from "./adamax.js";
import { nadamReference } from "./nadam.js";
import { radamReference } from "./radam.js";
import { rmspropReference } from "./rmsprop.js";
import { rpropReference } from "./rprop.js";
import { sgdReference } from "./sgd.js";
import { roundFor, type Round } from "./rules.js";
import type { Rounding } from "../runtime/load.js";

export type ReferenceRule = (r: Round, arrays: FloatArray[], scalars: number[], flags: boolean[]) => void;

/** Each rule with its ABI shape: how many state pointers and how many trailing flags. */
export const REFERENCE_RULES: Record<KernelName, { states: number; flags: number; rule: ReferenceRule }> = {
  sgd: { states: 1, flags: 2, rule: sgdReference },
  adam: { states: 3, flags: 1, rule: adamReference },
  adamax: { states: 2, flags: 0, rule: adamaxReference },
  nadam: { states: 2, flags: 0, rule: nadamReference },
  radam: { states: 2, flags: 1, rule: radamReference },
  adagrad: { states: 1, flags: 0, rule: adagradReference },
  adadelta: { states: 2, flags: 0, rule: adadeltaReference },
  rmsprop: { states: 3, flags: 1, rule: rmspropReference },
  rprop: { states: 2, flags: 0, rule: rpropReference },
};

export function referenceKernels(memory: WebAssembly.Memory, rounding: Rounding): KernelTable {
  const table: Partial<KernelTable> = {};
  for (const name of KERNEL_NAMES) {
    const { states, flags, rule } = REFERENCE_RULES[name];
    const bind = (View: typeof Float32Array | typeof Float64Array, r: Round): Kernel => (...args: KernelArg[]) => {
      const pointers = args.slice(0, 2 + states) as number[];
      const n = args[2 + states] as number;
      const scalars = (args.slice(3 + states, args.length - flags) as number[]).map(r);
      const flagValues = args.slice(args.length - flags).map(Boolean);
      // An unused state buffer (address 0) becomes an empty array.
      const arrays = pointers.map((address) => new View(memory.buffer, address, address === 0 ? 0 : n));
      rule(r, arrays, scalars, flagValues);
    };
    table[`${name}_step_f32`] = bind(Float32Array, roundFor("float32", rounding));
    table[`${name}_step_f64`] = bind(Float64Array, roundFor("float64", rounding));
  }
  return table as KernelTable;
}
