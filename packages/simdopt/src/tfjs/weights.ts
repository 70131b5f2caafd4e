/**
 * An optimizer's `stateDict()` as TF.js optimizer weights, and back. TF.js saves an optimizer's
 * state as a list of named tensors after its iteration counter (`iter`); simdopt's checkpoint has
 * float buffers, which become float32 tensors named `<variable>/<slot>` as TF.js names its own
 * (`dense_Dense1/kernel/exp_avg`), and numbers that must survive exactly (steps, float64 scalar
 * state such as NAdam's μ product), which stay in the checkpoint's JSON, carried whole in one string
 * tensor (`simdopt/state`) that names each buffer's tensor in place of its values. Loading goes
 * through `loadStateDict`, which checks everything before it changes anything.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { OptimizerStateDict, ParameterState } from "../checkpoint/state-dict.js";
import { decodeNumber, type JsonTensor } from "../checkpoint/encoding.js";
import type { FloatArray } from "../runtime/kernels.js";

/** A tensor with its name: an element of TF.js's optimizer weights (tfjs-core's `NamedTensor`). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** The name of the weight that carries the checkpoint's JSON. */
export const STATE_WEIGHT = "simdopt/state";

/** A buffer's place in the JSON: the name of the tensor that holds its values. */
interface BufferReference {
  tensor: string;
}

/** A buffer of a `stateDict()`: `{ dtype, data }` (a typed array where the dict was built by hand). */
const isBuffer = (value: unknown): value is FloatArray | JsonTensor => typeof value === "object" && value !== null;

/** The weights of a checkpoint whose parameters are the TF.js variables `names`, in order. */
export function stateWeights(dict: OptimizerStateDict<object>, names: readonly string[]): NamedTensor[] {
  const tensors: NamedTensor[] = [];
  const state: Record<string, Record<string, unknown>> = {};
  for (const [key, slots] of Object.entries(dict.state)) {
    const entry: Record<string, unknown> = {};
    for (const [slot, value] of Object.entries(slots)) {
      if (!isBuffer(value)) {
        entry[slot] = value;
        continue;
      }
      const name = `${names[Number(key)] ?? key}/${slot}`;
      const values = ArrayBuffer.isView(value)
        ? Float32Array.from(value)
        : Float32Array.from(value.data, (x) => decodeNumber(x) ?? Number.NaN);
      // TF.js variables are float32, and so are the parameters and state buffers made from them.
      tensors.push({ name, tensor: tf.tensor1d(values, "float32") });
      entry[slot] = { tensor: name } satisfies BufferReference;
    }
    state[key] = entry;
  }
  const json = JSON.stringify({ ...dict, state });
  return [{ name: STATE_WEIGHT, tensor: tf.scalar(json, "string") }, ...tensors];
}

/**
 * The checkpoint in `weights` (after `iter`), each buffer read back from its tensor. Throws a
 * TypeError naming what is missing or malformed; the dict's contents are checked by `loadStateDict`.
 */
export async function readStateWeights(weights: readonly NamedTensor[]): Promise<OptimizerStateDict<object>> {
  const byName = new Map(weights.map((w) => [w.name, w.tensor]));
  const carrier = byName.get(STATE_WEIGHT);
  if (carrier === undefined || carrier.dtype !== "string" || carrier.size !== 1) {
    throw new TypeError(`SimdoptOptimizer: cannot load weights: no string tensor '${STATE_WEIGHT}' among them`);
  }
  let dict: OptimizerStateDict<object>;
  try {
    dict = JSON.parse(String((await carrier.data())[0]));
  } catch (error) {
    throw new TypeError(
      `SimdoptOptimizer: cannot load weights: '${STATE_WEIGHT}' is not JSON (${(error as Error).message})`,
    );
  }
  if (typeof dict !== "object" || dict === null || typeof dict.state !== "object" || dict.state === null) {
    throw new TypeError(`SimdoptOptimizer: cannot load weights: '${STATE_WEIGHT}' has no state`);
  }
  const state: Record<string, ParameterState> = Object.create(null);
  for (const [key, slots] of Object.entries(dict.state)) {
    const entry: ParameterState = Object.create(null);
    for (const [slot, value] of Object.entries(slots as Record<string, unknown>)) {
      const reference = (value as Partial<BufferReference> | null)?.tensor;
      if (typeof reference !== "string") {
        entry[slot] = value as ParameterState[string];
        continue;
      }
      const tensor = byName.get(reference);
      if (tensor === undefined || tensor.dtype !== "float32") {
        throw new TypeError(`SimdoptOptimizer: cannot load weights: no float32 tensor '${reference}'`);
      }
      entry[slot] = Float32Array.from((await tensor.data()) as Float32Array);
    }
    state[key] = entry;
  }
  return { ...dict, state };
}
