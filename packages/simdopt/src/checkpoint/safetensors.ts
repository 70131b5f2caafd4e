/**
 * An optimizer's checkpoint as a safetensors file (https://github.com/huggingface/safetensors), for
 * large models: every state buffer is a tensor `state.<parameter key>.<torch slot name>` (F32 or
 * F64, and BF16 and U8 for low-bit state under its own slots: low-bit-state.ts; one dimension, or
 * the shape torch gives it where the optimizer says, as Adafactor's row_var
 * [..., rows, 1] and col_var [..., 1, cols]), and the header's `__metadata__` (strings only) holds the format version, the
 * optimizer's kind, the groups' options and parameter keys (JSON), each parameter's scalar state
 * (step, mu_product, ...: JSON) and a CRC-32 checksum of all of that and of the tensor bytes.
 * PyTorch users open it with `safetensors.torch.load_file`.
 *
 * Loading checks the file's structure and checksum, then goes through `loadStateDict`'s checks:
 * nothing changes unless everything is right.
 */
import type { Optimizer } from "../optimizer.js";
import type { StateArray } from "../runtime/state-elements.js";
import { crc32 } from "./crc32.js";
import { describe, torchName } from "./encoding.js";
import { own } from "./records.js";
import { FileTensors, type TensorView } from "./file-tensors.js";
import { readHeader, startsAt, writeHeader, type TensorToWrite } from "./safetensors-header.js";
import {
  parameterKeys,
  STATE_FORMAT,
  writeStateDict,
  type CheckpointTarget,
  type LoadStateOptions,
  type OptimizerStateDict,
} from "./state-dict.js";

const DTYPES = { F32: Float32Array, F64: Float64Array } as const;
/** Low-bit state adds bfloat16 words and codes (checkpoint/low-bit-state.ts). */
const LOW_BIT_DTYPES = { ...DTYPES, BF16: Uint16Array, U8: Uint8Array } as const;
const MAX_HEADER = 100_000_000; // bytes, as the safetensors library limits it
const DOT = 0x2e;

/** The optimizer's state as the bytes of a safetensors file. */
export function saveSafetensors<O extends object>(optimizer: Optimizer<O>): Uint8Array {
  const target = optimizer.checkpointTarget();
  // The tensors are written straight from Wasm memory; only the small rest goes through JSON.
  const dict = writeStateDict<O>(target, (g) => ({ ...optimizer.paramGroups[g].options }), { tensors: false });
  // Each tensor's bytes are kept as where they are, not as a view: 200,000 views kept to the copy
  // would cost the collector more than their making.
  const tensors: (TensorToWrite & { buffer: ArrayBufferLike; from: number })[] = [];
  const keys = dict.paramGroups.map((group) => group.params);
  const slots = target.bufferNames.map(torchName);
  target.groups.forEach((group, g) => {
    if (!group.initialised) return;
    group.params.forEach((param, i) => {
      if (group.steps[i] === 0) return; // no state before a parameter's first step
      if (target.storage?.lowBit) {
        for (const { slot, values } of target.storage.tensors(g, i))
          tensors.push({
            name: ["state.", keys[g][i], ".", slot],
            dtype: dtypeOf(values),
            shape: [values.length],
            byteLength: values.byteLength,
            buffer: values.buffer,
            from: values.byteOffset,
          });
        return;
      }
      target.bufferNames.forEach((name, k) => {
        if (group.layout[i][k] === null) return;
        const values = target.view(g, param, k);
        const shape = target.shape(param, k) ?? [values.length];
        if (shape.reduce((a, b) => a * b, 1) !== values.length)
          throw new Error(`simdopt: the shape [${shape}] of '${name}' does not hold its ${values.length} values`);
        tensors.push({
          name: ["state.", keys[g][i], ".", slots[k]],
          dtype: dtypeOf(values),
          shape,
          byteLength: values.byteLength,
          buffer: values.buffer,
          from: values.byteOffset,
        });
      });
    });
  });
  const paramGroups = JSON.stringify(dict.paramGroups);
  const scalarState = JSON.stringify(dict.state);
  const data = new Uint8Array(tensors.reduce((total, { byteLength }) => total + byteLength, 0));
  // Copied through one byte view of their memory: small tensors by a loop (a view per tensor
  // to copy from would cost more than their bytes).
  let memory: Uint8Array = new Uint8Array(0);
  let offset = 0;
  for (const { buffer, from, byteLength } of tensors) {
    if (memory.buffer !== buffer) memory = new Uint8Array(buffer);
    if (byteLength > 64) data.set(memory.subarray(from, from + byteLength), offset);
    else for (let b = 0; b < byteLength; b++) data[offset + b] = memory[from + b];
    offset += byteLength;
  }
  const metadata = { format: STATE_FORMAT, kind: dict.kind, param_groups: paramGroups, state: scalarState };
  const checksum = crc32(new TextEncoder().encode(canonical(metadata)), data);
  const header = writeHeader({ ...metadata, checksum: `crc32:${checksum}` }, tensors);
  const file = new Uint8Array(8 + header.length + data.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
  file.set(header, 8);
  file.set(data, 8 + header.length);
  return file;
}

/**
 * Loads a file from `saveSafetensors` into `optimizer`: the file's structure and checksum are
 * checked, then everything `loadStateDict` checks; a refusal says what is wrong and changes nothing.
 * `bytes` may be any view (a Node `Buffer` from `fs.readFileSync`, a subarray): only its own
 * bytes are read.
 */
export function loadSafetensors<O extends object>(
  optimizer: Optimizer<O>,
  bytes: Uint8Array,
  options?: LoadStateOptions,
): void {
  const target = optimizer.checkpointTarget();
  const { storage, bufferNames, fail: refuse } = target;
  const fail: (message: string) => never = refuse;
  if (!(bytes instanceof Uint8Array)) fail(`a safetensors file must be given as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 8) fail(`the file has ${bytes.length} bytes: too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(bytes.length - 8)) fail(`the header length ${length} runs past the file's ${bytes.length} bytes`);
  if (length > BigInt(MAX_HEADER))
    fail(`the header length ${length} is above the ${MAX_HEADER} bytes a safetensors header may have`);
  const headerEnd = 8 + Number(length);
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, headerEnd));
  } catch (error) {
    fail(`the header is not JSON: ${(error as Error).message}`);
  }
  // The tensors as the header lists them, a column per field: checked once the metadata is.
  const { metadata, tensors } = readHeader(text, fail);
  if (metadata === undefined) fail("the header has no __metadata__ (not a file of saveSafetensors)");
  for (const field of ["format", "kind", "param_groups", "state", "checksum"]) {
    if (!Object.hasOwn(metadata, field)) fail(`__metadata__ has no '${field}' (not a file of saveSafetensors)`);
  }
  if (metadata.format !== STATE_FORMAT)
    fail(`__metadata__.format is ${JSON.stringify(metadata.format)}, expected '${STATE_FORMAT}'`);
  const data = bytes.subarray(headerEnd);
  const actual = `crc32:${crc32(new TextEncoder().encode(canonical(metadata)), data)}`;
  if (metadata.checksum !== actual)
    fail(`the checksum is ${metadata.checksum} but the contents give ${actual}: the file is damaged`);
  let paramGroups: unknown;
  let scalarState: unknown;
  try {
    paramGroups = JSON.parse(metadata.param_groups);
    scalarState = JSON.parse(metadata.state);
  } catch (error) {
    fail(`__metadata__ holds JSON that does not parse: ${(error as Error).message}`);
  }
  if (scalarState === null || typeof scalarState !== "object" || Array.isArray(scalarState))
    fail("__metadata__.state must be a JSON object");
  // The tensors join their parameter's entry of __metadata__.state (objects JSON.parse just made,
  // looked up as own keys), each under a slot name of this optimizer's, so never under `__proto__`:
  // beside the entry (FileTensors), put into it only where code outside asks to see it there.
  const state = scalarState as Record<string, unknown>;
  const slots = [...new Set(storage?.slotNames ?? bufferNames.map(torchName))];
  const ownSlots = storage?.ownSlots ?? slots;
  const dtypes: Record<string, TensorView> = storage === undefined ? DTYPES : LOW_BIT_DTYPES;
  const { dims, dimEnds } = tensors;
  const shapeOf = (t: number) => JSON.stringify(Array.from(dims.subarray(tensors.dimStart(t), dimEnds[t]))); // for a message
  const hints = expectedKeys(target);
  const found = new FileTensors(data, slots, tensors.begins, hints.length);
  const nameOf = (t: number) => tensors.nameText(t).slice(tensors.nameStarts[t], tensors.nameEnds[t]); // for a message
  let expectedOffset = 0;
  // A parameter's tensors follow each other: its entry is looked up once for them. Its key is
  // taken as the key of the optimizer's parameter in the same place when it is that key: a string
  // looked up before, where one sliced from the header would be hashed and interned anew.
  let key: string | undefined;
  let parameter: Record<string, unknown> = {};
  let row = -1;
  let keyCount = 0;
  // Each name is read where it is, from `nameStart` to `nameEnd` of `text`: spelled as a string
  // only for a message, or as a key that is not the one expected.
  for (let t = 0; t < tensors.count; t++) {
    const text = tensors.nameText(t);
    const nameStart = tensors.nameStarts[t];
    const nameEnd = tensors.nameEnds[t];
    const keyAt = nameStart + "state.".length;
    let dot = nameEnd - 1; // the last dot (a loop: lastIndexOf calls out of the compiled code)
    while (dot >= nameStart && text.charCodeAt(dot) !== DOT) dot--;
    if (!startsAt(text, "state.", nameStart) || dot <= keyAt)
      fail(`tensor '${nameOf(t)}' is not named state.<parameter>.<slot>`);
    // The slot as this optimizer spells it (no slot name has a dot).
    let k = 0;
    while (k < slots.length && !(slots[k].length === nameEnd - dot - 1 && startsAt(text, slots[k], dot + 1))) k++;
    if (k === slots.length)
      fail(
        `tensor '${nameOf(t)}' is for slot '${text.slice(dot + 1, nameEnd)}', which ${optimizer.kind} does not keep (it keeps ${ownSlots.join(", ")})`,
      );
    const slot = slots[k];
    const sameKey = key !== undefined && dot === keyAt + key.length && startsAt(text, key, keyAt);
    if (!sameKey) {
      const p = keyCount++;
      const hint = hints[p];
      const isHint = hint !== undefined && dot === keyAt + hint.length && startsAt(text, hint, keyAt);
      key = isHint ? hint : text.slice(keyAt, dot);
      const entry = own(state, key);
      if (entry === undefined)
        fail(`tensor '${nameOf(t)}' is for parameter '${key}', which __metadata__.state does not have`);
      if (entry === null || typeof entry !== "object" || Array.isArray(entry))
        fail(`__metadata__.state['${key}'] must be an object, got ${describe(entry)}`);
      parameter = entry as Record<string, unknown>;
      row = found.row(parameter, isHint ? p : -1);
    }
    if (Object.hasOwn(parameter, slot))
      fail(`tensor '${nameOf(t)}' is for '${slot}', which __metadata__.state gives for '${key}' already`);
    if (found.has(row, k)) fail(`the header names '${nameOf(t)}' twice`);
    const dtype = tensors.dtype(t);
    const View = own(dtypes, dtype) as (typeof dtypes)[string] | undefined;
    if (View === undefined)
      fail(
        `tensor '${nameOf(t)}' has dtype ${JSON.stringify(dtype)}, expected ${Object.keys(dtypes)
          .join(", ")
          .replace(/, ([^,]*)$/, " or $1")}`,
      );
    let count = 1;
    for (let d = tensors.dimStart(t); d < dimEnds[t]; d++) count *= dims[d];
    if (!Number.isSafeInteger(count)) fail(`tensor '${nameOf(t)}' has shape ${shapeOf(t)}: too many values`);
    const begin = tensors.begins[t];
    const end = tensors.ends[t];
    if (begin !== expectedOffset)
      fail(
        `tensor '${nameOf(t)}' starts at byte ${begin} of the data, where the tensor before it ends at ${expectedOffset}`,
      );
    if (end - begin !== count * View.BYTES_PER_ELEMENT)
      fail(`tensor '${nameOf(t)}' has ${end - begin} bytes for shape ${shapeOf(t)} of ${dtype} values`);
    if (end > data.length) fail(`tensor '${nameOf(t)}' ends at byte ${end}, past the data's ${data.length} bytes`);
    expectedOffset = end;
    found.add(t, row, k, View, count);
  }
  if (expectedOffset !== data.length) fail(`the data has ${data.length} bytes, the tensors ${expectedOffset}`);
  const dict = { format: metadata.format, kind: metadata.kind, state, paramGroups } as unknown as OptimizerStateDict<O>;
  optimizer.loadDetached(dict, options, found);
}

/**
 * The optimizer's keys of its parameters, in order, where they are unique (the tensors of a file it
 * saved are in this order): a tensor's key is compared with the one in its place; none where they
 * are not (`loadStateDict` refuses that, after what is wrong with the file).
 */
function expectedKeys(target: CheckpointTarget): readonly string[] {
  let keys: readonly (readonly string[])[];
  try {
    keys = parameterKeys(target, () => {
      throw new RangeError("not unique");
    });
  } catch {
    return [];
  }
  const flat: string[] = []; // (a loop: flat() takes longer)
  for (const group of keys) for (const key of group) flat.push(key);
  return flat;
}

/** The safetensors dtype of a state buffer. */
function dtypeOf(values: StateArray): string {
  if (values instanceof Float32Array) return "F32";
  if (values instanceof Float64Array) return "F64";
  return values instanceof Uint16Array ? "BF16" : "U8";
}

/** The metadata covered by the checksum, in a fixed order. */
function canonical(metadata: Record<string, string>): string {
  return ["format", "kind", "param_groups", "state"].map((field) => metadata[field]).join("\n");
}
