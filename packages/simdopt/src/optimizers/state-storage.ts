/**
 * The `state` option: how an optimizer stores its moments between steps. `float32` is the
 * optimizer's own kernel; each other storage has a kernel of its own (bfloat16 moments in
 * `adamBf16`, blockwise 8-bit, 4-bit and FP8 ones in `adam8bit`, `adam4bit`, `adamFp8`) taking the
 * same scalars and flags (the blockwise ones add the block size), so its definition is the float32
 * one on another kernel. The storage picks the kernel of the whole optimizer: a group,
 * `setGroupOptions` or a checkpoint that asks for another one is refused.
 */
import type { AnyOptimizerDefinition, OptimizerDefinition, StepPlan } from "../optimizer.js";
import type { KernelName } from "../runtime/kernels.js";
import { blockwiseLengths } from "../runtime/state-lengths.js";
import { show, type OptionChecker } from "../runtime/validate.js";
import { readOptions } from "../runtime/read-options.js";
import { deepFreeze } from "../runtime/freeze.js";

/** How an optimizer stores its moments between steps: `float32`, `bfloat16`, `8bit`, `4bit` or `fp8` (see `AdamOptions.state`). */
export type StateStorage = "float32" | "bfloat16" | "8bit" | "4bit" | "fp8";
/** Every `StateStorage`. */
export const STATE_STORAGES: readonly StateStorage[] = deepFreeze(["float32", "bfloat16", "8bit", "4bit", "fp8"]);

/** The blockwise storages: codes per byte, and the block size torchao's classes default to. */
const BLOCKWISE: Readonly<Record<string, { codesPerByte: 1 | 2; blockSize: number }>> = deepFreeze({
  "8bit": { codesPerByte: 1, blockSize: 256 },
  "4bit": { codesPerByte: 2, blockSize: 128 },
  fp8: { codesPerByte: 1, blockSize: 256 },
});

/** Tensors below this many elements keep float32 state under a blockwise storage, as torchao's (and bitsandbytes') default. */
export const MIN_8BIT_SIZE = 4096;

/** Options every optimizer with a `state` option has. */
export interface StateOptions {
  state?: StateStorage;
  blockSize?: number;
}

/** The storage options, which a checkpoint may omit (it was written before they existed): their defaults then. */
export const OPTIONAL_IN_CHECKPOINTS: readonly string[] = ["state", "blockSize"];

/** Throws unless `value` is the storage `expected` the optimizer was built with. */
export function checkStateStorage(check: OptionChecker, value: unknown, expected: StateStorage): void {
  if (!STATE_STORAGES.includes(value as StateStorage))
    check.fail(`option 'state' must be one of ${STATE_STORAGES.map(show).join(", ")}, got ${show(value)}`, TypeError);
  if (value !== expected)
    check.fail(
      `option 'state' is ${show(expected)} for the whole optimizer: a group, or a later change, cannot make it ${show(value)}`,
      TypeError,
    );
}

/**
 * `blockSize`: elements per block of blockwise state, any whole number (torchao's any divisor of a
 * tensor's length); blocks of whole SIMD vectors (multiples of 4) step fastest, others element by element.
 */
export function checkBlockSize(check: OptionChecker, value: unknown): void {
  const size = check.number("blockSize", value);
  if (!(Number.isInteger(size) && size >= 1 && size <= 1 << 20))
    check.fail(`invalid blockSize: ${size} (must be a whole number from 1 to 1048576)`);
}

/**
 * `base` (a float32 definition) on `kernel`, which stores its state as `storage`: a blockwise
 * storage adds the block size to the scalars (its own default: torchao's 128 for `4bit`) and,
 * where given, the scalars its reference computes its own way.
 */
export function stateDefinition<O extends StateOptions & { amsgrad?: boolean }, K extends KernelName>(
  base: OptimizerDefinition<O, K>,
  storage: Exclude<StateStorage, "float32">,
  kernel: KernelName,
  /** Scalars this storage's reference computes otherwise than `base` (torchao's float32 bias corrections). */
  scalars?: (options: Required<O>, t: number) => Record<string, number>,
): AnyOptimizerDefinition<O> {
  const blockwise = Object.hasOwn(BLOCKWISE, storage) ? BLOCKWISE[storage] : undefined;
  const definition: OptimizerDefinition<O, KernelName> = {
    ...(base as unknown as OptimizerDefinition<O, KernelName>),
    kernel,
    validate(options, check) {
      base.validate({ ...options, state: "float32" }, check);
      checkStateStorage(check, options.state, storage);
      // Two 4-bit codes share a byte: a block of whole bytes keeps each block (and thread) to its own.
      if (blockwise?.codesPerByte === 2 && (options.blockSize as number) % 2 !== 0)
        check.fail(`invalid blockSize: ${options.blockSize} (4-bit codes are two per byte: it must be even)`);
      if (blockwise !== undefined && options.amsgrad === true)
        check.fail(
          `option 'amsgrad' is not supported with state ${show(storage)} (torchao's and bitsandbytes' refuse it too)`,
        );
    },
  };
  // Threads cut bfloat16 state anywhere (at 64-byte lines), blockwise state at its blocks.
  if (blockwise === undefined) return { ...definition, stateBlock: () => null } as AnyOptimizerDefinition<O>;
  const lengths = (options: Required<O>, length: number) =>
    blockwiseLengths(length, options.blockSize as number, MIN_8BIT_SIZE, blockwise.codesPerByte);
  return {
    ...definition,
    defaults: { ...definition.defaults, blockSize: blockwise.blockSize },
    // Zero state: codes 0 with maxima 0 dequantize to 0 (as torchao's zero-initialised state).
    buffers: () => ({
      expAvg: 0,
      expAvgSq: 0,
      expAvgCodes: 0,
      expAvgSqCodes: 0,
      expAvgAbsmax: 0,
      expAvgSqAbsmax: 0,
    }),
    stateBlock: (options, length) => (lengths(options, length).expAvgCodes > 0 ? (options.blockSize as number) : null),
    bufferLengths: (options, _shape, length) => lengths(options, length),
    plan(options, t, state) {
      const plan = base.plan(options, t, state) as StepPlan<KernelName>;
      const own = scalars?.(options, t) ?? {};
      return { ...plan, scalars: { ...plan.scalars, ...own, blockSize: options.blockSize } } as StepPlan<KernelName>;
    },
  } as AnyOptimizerDefinition<O>;
}

/**
 * The caller's options, read once (runtime/read-options.ts: the optimizer reads this copy, not the
 * caller's object), and the definition for the `state` they ask for (the float32 one when absent);
 * an unknown storage throws, named by the definition's title.
 */
export function definitionForState<O extends StateOptions, T extends object>(
  definitions: Record<StateStorage, AnyOptimizerDefinition<O>>,
  given: (O & T) | undefined,
): { definition: AnyOptimizerDefinition<O>; options: O & T } {
  const options = readOptions(given, { where: definitions.float32.title }) as O & T;
  const state = options.state ?? "float32";
  if (!(typeof state === "string" && Object.hasOwn(definitions, state))) {
    const known = STATE_STORAGES.map(show).join(", ");
    throw new TypeError(`${definitions.float32.title}: option 'state' must be one of ${known}, got ${show(state)}`);
  }
  // With the other storages, so that a checkpoint of one loads into another (converted).
  const definition = { ...definitions[state], storages: definitions } as AnyOptimizerDefinition<O>;
  return { definition, options };
}
