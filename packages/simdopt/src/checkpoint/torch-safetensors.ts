/**
 * The checkpoint in torch's `state_dict()` layout as a safetensors file, for torch users who load
 * it with the `safetensors` package (the README's few lines): a tensor `state.<position>.<slot>`
 * per state tensor, with its parameter's shape, and the scalars (`step`, `mu_product`) as 0-dim
 * float32 tensors as torch keeps them; `__metadata__.param_groups` holds torch's `param_groups`
 * as JSON (snake_case options, positions as `params`). A parameter that never stepped has no
 * tensor, as torch keeps no state for it.
 */
import type { Optimizer } from "../optimizer.js";
import { torchStateDictOf } from "./torch-layout.js";

/** The bytes of a safetensors file of the optimizer's state in torch's layout. */
export function toTorchSafetensors<O extends object>(optimizer: Optimizer<O>): Uint8Array {
  const torch = torchStateDictOf(optimizer, "toTorchSafetensors");
  const params = optimizer.paramGroups.flatMap((group) => group.params);
  const tensors: { name: string; values: Float32Array | Float64Array; shape: readonly number[] }[] = [];
  for (const [position, entry] of Object.entries(torch.state)) {
    const param = params[Number(position)];
    for (const [slot, value] of Object.entries(entry)) {
      if (typeof value === "number") {
        tensors.push({ name: `state.${position}.${slot}`, values: new Float32Array([value]), shape: [] });
        continue;
      }
      const values = param.dtype === "float32" ? new Float32Array(value) : new Float64Array(value);
      // A buffer of the parameter's length takes its shape; a factored one (Adafactor's) stays flat.
      const shape = value.length === param.length ? param.shape : [value.length];
      tensors.push({ name: `state.${position}.${slot}`, values, shape });
    }
  }
  let offset = 0;
  const header: Record<string, unknown> = {
    __metadata__: { format: "pt", param_groups: JSON.stringify(torch.param_groups) },
  };
  for (const { name, values, shape } of tensors) {
    const dtype = values instanceof Float32Array ? "F32" : "F64";
    header[name] = { dtype, shape, data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
  }
  // The header is padded with spaces to 8 bytes, so that the data that follows stays aligned.
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length)
    json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(padded - json.length));
  const bytes = new Uint8Array(8 + json.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const { values } of tensors) {
    // Little-endian, as safetensors requires and every platform simdopt runs on stores.
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    at += values.byteLength;
  }
  return bytes;
}
