import type { ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { Adam, type AdamOptions } from "./adam.js";
import { AdamW, type AdamWOptions } from "./adamw.js";

/** Adam's options but the storage, which the class fixes. */
export type LowBitAdamOptions = Omit<AdamOptions, "state">;

/**
 * torchao's `Adam8bit` (and bitsandbytes' name for it): `new Adam(params, { ...options, state: "8bit" })`,
 * blockwise 8-bit moments (see `AdamOptions.state`).
 */
export class Adam8bit extends Adam {
  constructor(params: ParamsInput<AdamOptions>, options: LowBitAdamOptions & TrainingOptions = {}) {
    super(params, { ...options, state: "8bit" });
  }
}

/** torchao's `AdamW8bit`: `new AdamW(params, { ...options, state: "8bit" })`. */
export class AdamW8bit extends AdamW {
  constructor(params: ParamsInput<AdamWOptions>, options: LowBitAdamOptions & TrainingOptions = {}) {
    super(params, { ...options, state: "8bit" });
  }
}

/** torchao's `Adam4bit`: `new Adam(params, { ...options, state: "4bit" })`, blockwise 4-bit moments (blocks of 128). */
export class Adam4bit extends Adam {
  constructor(params: ParamsInput<AdamOptions>, options: LowBitAdamOptions & TrainingOptions = {}) {
    super(params, { ...options, state: "4bit" });
  }
}

/** torchao's `AdamW4bit`: `new AdamW(params, { ...options, state: "4bit" })`. */
export class AdamW4bit extends AdamW {
  constructor(params: ParamsInput<AdamWOptions>, options: LowBitAdamOptions & TrainingOptions = {}) {
    super(params, { ...options, state: "4bit" });
  }
}

/** torchao's `AdamFp8`: `new Adam(params, { ...options, state: "fp8" })`, blockwise float8_e4m3fn moments. */
export class AdamFp8 extends Adam {
  constructor(params: ParamsInput<AdamOptions>, options: LowBitAdamOptions & TrainingOptions = {}) {
    super(params, { ...options, state: "fp8" });
  }
}

/** torchao's `AdamWFp8`: `new AdamW(params, { ...options, state: "fp8" })`. */
export class AdamWFp8 extends AdamW {
  constructor(params: ParamsInput<AdamWOptions>, options: LowBitAdamOptions & TrainingOptions = {}) {
    super(params, { ...options, state: "fp8" });
  }
}
