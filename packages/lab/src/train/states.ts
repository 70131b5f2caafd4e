/**
 * The low-bit state comparison: the digit MLP trained with Adam whose moments are stored in float32,
 * bfloat16, 8 bits, 4 bits or float8_e4m3fn (simdopt's `state` option), everything else the same.
 * With blockwise state only w1 (784 × 128 = 100,352 weights, 392 blocks of 256) is quantized: w2
 * (1,280), b1 and b2 are under 4,096 elements and keep float32 moments, as torchao keeps small tensors.
 */
import type { LabOptimizer } from "../classic.js";

/** The storage formats of Adam's moments, in drawing order. */
export const STATE_FORMATS = ["float32", "bfloat16", "8bit", "4bit", "fp8"] as const;
/** The formats the gallery draws: the ones the references train large models with. */
export const GALLERY_STATE_FORMATS: readonly StateFormat[] = ["float32", "bfloat16", "8bit"];
/** A storage format. */
export type StateFormat = (typeof STATE_FORMATS)[number];

/** Adam's learning rate for the digit MLP (the classic set's). */
const ADAM_LR = 0.001;

/** Adam with each of `formats` (each named once), labelled "Adam, <format> state". */
export function stateComparison(formats: readonly string[] = STATE_FORMATS): LabOptimizer[] {
  return formats.map((format, k) => {
    if (!(STATE_FORMATS as readonly string[]).includes(format))
      throw new TypeError(`simdopt-lab: unknown state format '${format}' (known: ${STATE_FORMATS.join(", ")})`);
    if (formats.indexOf(format) !== k) throw new TypeError(`simdopt-lab: state format '${format}' is named twice`);
    const options = format === "float32" ? { lr: ADAM_LR } : { lr: ADAM_LR, state: format };
    return { label: `Adam, ${format} state`, optimizer: "adam", options };
  });
}
