import type { ReferenceRule } from "./kernels.js";
import { blockwiseAdamReference } from "./adam8bit.js";

/** Adam and AdamW with blockwise 4-bit moments, the specification of `adam4bit_f32`: 8-bit Adam's blocks in torchao's 4-bit format. */
export const adam4bitReference = blockwiseAdamReference("blockwise4") as unknown as ReferenceRule<"adam4bit">;
