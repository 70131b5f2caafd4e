import type { ReferenceRule } from "./kernels.js";
import { blockwiseAdamReference } from "./adam8bit.js";

/** Adam and AdamW with blockwise float8_e4m3fn moments, the specification of `adamFp8_f32`: 8-bit Adam's blocks in torchao's FP8 format. */
export const adamFp8Reference = blockwiseAdamReference("fp8e4m3fn") as unknown as ReferenceRule<"adamFp8">;
