/**
 * Checkpoints of low-bit optimizer state (the `state` option: bfloat16 moments, blockwise 8-bit,
 * 4-bit and FP8 ones), with the references' slot names, and conversion between storages when a
 * checkpoint of one loads into an optimizer of another.
 *
 * A moment of a tensor is stored in one of three forms, read off its kernel's declaration (each
 * buffer's element type, assembly/state-elements.js):
 * - float (float32 state, and the tensors 8-bit storage leaves in float32): torch's slot
 *   (`exp_avg`), float32 values;
 * - bfloat16: torch's slot, dtype `bfloat16` (safetensors `BF16`), values that are exactly bfloat16;
 * - blockwise (a `<moment>Codes` buffer with its `<moment>Absmax`): bitsandbytes' slots, the n-th
 *   such moment of a tensor as `state<n>` (uint8 codes, safetensors `U8`; 4-bit codes two per byte,
 *   element 2k in the high nibble, as torchao packs them), `absmax<n>` (float32 per block: FP8's
 *   scale) and `qmap<n>` (the float32 values its codes index: for 8-bit codes bitsandbytes' signed
 *   dynamic map for state1, its unsigned one for state2, as bitsandbytes keeps Adam's; for 4-bit
 *   torchao's 16-value maps; for FP8 the 256 float8_e4m3fn values, NaN at 0x7f and 0xff). The
 *   format is the kernel's (`FORMATS`).
 *
 * On load, the checkpoint's own storage options (`state`, `blockSize`) say which forms it holds;
 * the optimizer keeps its own. Where the forms are the same the stored state is copied as it is
 * (a continuation is bit-identical); otherwise each moment is widened exactly to float32
 * (bfloat16 values are float32 values; blockwise: map[code]·absmax in float32) and stored in the
 * optimizer's form as a step stores it (rounded to nearest-even bfloat16, or quantized per block
 * by the optimizer's own rule: reference/quantize.ts).
 */
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import { fromBfloat16, toBfloat16 } from "../reference/bfloat16.js";
import {
  codeBytes,
  dequantizeBlockwise,
  mapOf,
  quantizeBlockwise,
  type QuantizedFormat,
} from "../reference/quantize.js";
import type { Dtype, FloatArray, KernelName } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import type { StateArray } from "../runtime/state-elements.js";
import { show } from "../runtime/validate.js";
import {
  decodeNumber,
  decodeTensor,
  describe,
  encodeNumber,
  encodeTensor,
  torchName,
  type JsonNumber,
  type TensorRules,
} from "./encoding.js";
import { own } from "./records.js";

/** The format of each kernel's codes where it is not 8-bit (adam8bit's and bnb8bit's). */
const FORMATS: Partial<Record<KernelName, QuantizedFormat>> = { adam4bit: "blockwise4", adamFp8: "fp8e4m3fn" };

/** The name of the map a moment's codes index (state1 signed, state2 unsigned), for messages. */
const MAP_NAMES: Record<QuantizedFormat, readonly [string, string]> = {
  blockwise8: ["bitsandbytes' dynamic8_signed", "bitsandbytes' dynamic8_unsigned"],
  blockwise4: ["torchao's dynamic4_signed", "torchao's linear4_unsigned"],
  fp8e4m3fn: ["the float8_e4m3fn", "the float8_e4m3fn"],
};

/** How one moment of one tensor is stored (see the module comment); `k` are buffer indices in its kernel. */
type MomentForm =
  | { kind: "float"; moment: string; k: number; slots: [string] }
  | { kind: "bfloat16"; moment: string; k: number; slots: [string] }
  | {
      kind: "blockwise";
      format: QuantizedFormat;
      moment: string;
      /** 0 for state1 (signed), 1 for state2. */
      index: number;
      codes: number;
      absmax: number;
      blockSize: number;
      slots: [string, string, string];
    };

/** A JSON-safe tensor of low-bit state: bfloat16 values or uint8 codes. */
export interface JsonLowBitTensor {
  /** `bfloat16`: moments; `uint8`: codes (4-bit ones two per byte). */
  dtype: "bfloat16" | "uint8";
  /** The values (bfloat16 numbers as `JsonNumber`s: NaN, ±Infinity and −0 as strings), or the codes. */
  data: JsonNumber[];
}

/** One storage of an optimizer's state (its definition), as the checkpoint code needs it. */
export interface Storage {
  /** The kernel whose buffers hold the state. */
  readonly kernel: KernelName;
  /** These options, checked for this storage (throws a message naming the option). */
  resolve(raw: object): object;
  /** [parameter][buffer]: each buffer's length in group g with these options, null where it has none. */
  layout(options: object, g: number): readonly (readonly (number | null)[])[];
  /** Elements per block of a tensor of `length` elements kept in blocks of codes, null where it is not. */
  block(options: object, length: number): number | null;
  /** True when its quantizer is bitsandbytes' (ties down, ...), false for torchao's. */
  bitsandbytes(options: object): boolean;
}

/** What the checkpoint code needs of an optimizer whose state may be low-bit. */
export interface StorageTarget {
  readonly kind: string;
  /** The optimizer's own storage. */
  readonly own: Storage;
  /** Each storage by its name (`float32`, `bfloat16`, `8bit`, `4bit`, `fp8`) where the optimizer has a `state` option; undefined otherwise. */
  readonly named: Readonly<Record<string, Storage>> | undefined;
  readonly groups: readonly {
    readonly params: readonly Parameter[];
    readonly options: object;
    readonly layout: readonly (readonly (number | null)[])[];
  }[];
  /** A live view of buffer k of a parameter of group g, as the kernel stores it. */
  rawView(g: number, param: Parameter, k: number): StateArray;
}

/** Reads the state of one checkpoint group's parameters, converting it to the optimizer's storage. */
export interface StoredGroupReader {
  /**
   * The buffers of parameter `i` (in the optimizer's kernel order; null where it has none, or at
   * step 0) from its checkpoint `entry`, whose other own keys must be among `extraSlots`.
   */
  read(
    at: string,
    entry: object,
    i: number,
    step: number,
    extraSlots: readonly string[],
    allowNonFinite: boolean,
  ): (StateArray | null)[];
}

/** The low-bit checkpoint code of one optimizer (see the module comment). */
export class LowBitCheckpoint {
  /** True when the optimizer's own state is bfloat16 or codes. */
  readonly lowBit: boolean;
  /** Every slot a checkpoint of this optimizer may hold, in any of its storages. */
  readonly slotNames: readonly string[];
  /** The slots the optimizer's own storage writes. */
  readonly ownSlots: readonly string[];
  /** Each moment's rule from the float32 kernel (where there is one): "nonNegative" or "any". */
  private readonly ranges: Readonly<Record<string, string>>;

  constructor(private readonly target: StorageTarget) {
    this.lowBit = KERNEL_LAYOUTS[target.own.kernel].stateElements.some((element) => element !== "param");
    const storages = target.named === undefined ? [target.own] : Object.values(target.named);
    this.ownSlots = allSlots([target.own]);
    this.slotNames = allSlots(storages);
    const reference = target.named?.float32 ?? target.own;
    const { state, stateRanges } = KERNEL_LAYOUTS[reference.kernel];
    this.ranges = Object.fromEntries(state.map((name, k) => [name, stateRanges[k]]));
  }

  /** `raw` (a checkpoint group's options) with the optimizer's own storage options, which it keeps. */
  withOwnStorage(raw: Record<string, unknown>, g: number): Record<string, unknown> {
    if (this.target.named === undefined) return raw;
    const options = this.target.groups[g].options as Record<string, unknown>;
    return { ...raw, state: options.state, blockSize: options.blockSize };
  }

  /**
   * How the checkpoint group `raw` (its options as saved) keeps its tensors, for group g of the
   * optimizer, which takes `options`; undefined when both keep float32 state (the plain path of
   * state-dict.ts). Throws through `fail` when its storage options are not valid, naming the group
   * as `where`.
   */
  source(
    raw: Record<string, unknown>,
    options: object,
    g: number,
    where: string,
    fail: (message: string) => never,
  ): StoredGroupReader | undefined {
    const { named } = this.target;
    let storage = this.target.own;
    let name: string | undefined;
    let sourceOptions = options;
    if (named !== undefined) {
      const state = own(raw, "state") ?? "float32";
      if (typeof state !== "string" || !Object.hasOwn(named, state))
        fail(`${where}: option 'state' must be one of ${Object.keys(named).map(show).join(", ")}, got ${show(state)}`);
      name = state as string;
      storage = named[name];
      // Checked whatever the storage (a float32 checkpoint's blockSize too), as the options always were.
      const blockSize = own(raw, "blockSize") ?? (options as Record<string, unknown>).blockSize;
      try {
        sourceOptions = storage.resolve({ ...options, state: name, blockSize });
      } catch (error) {
        fail(`${where}: ${(error as Error).message}`);
      }
      if (name === "float32" && !this.lowBit) return undefined;
    } else if (!this.lowBit) {
      return undefined;
    }
    const group = this.target.groups[g];
    const sourceLayout = storage.layout(sourceOptions, g);
    const source = storage;
    const storedAs = name === undefined ? "" : ` with state '${name}'`;
    return {
      read: (at, entry, i, step, extraSlots, allowNonFinite) => {
        const param = group.params[i];
        const n = param.length;
        const from = momentForms(source.kernel, sourceLayout[i], source.block(sourceOptions, n));
        const to = momentForms(this.target.own.kernel, group.layout[i], this.target.own.block(options, n));
        const slots = from.flatMap((form) => form.slots);
        for (const slot of Object.keys(entry)) {
          if (!extraSlots.includes(slot) && !slots.includes(slot))
            fail(
              `${at} has '${slot}', which ${this.target.kind}${storedAs} does not keep for it (it keeps ${[...extraSlots, ...slots].join(", ")})`,
            );
        }
        const buffers: (StateArray | null)[] = KERNEL_LAYOUTS[this.target.own.kernel].state.map(() => null);
        if (step === 0) {
          const given = slots.find((slot) => own(entry, slot) !== undefined);
          if (given !== undefined)
            fail(`${at}.step is 0 but it has '${given}': a state before the first step has none`);
          return buffers;
        }
        const stored = new Map(
          from.map((form) => [
            form.moment,
            this.decode(at, entry, form, param.dtype as Dtype, n, allowNonFinite, fail),
          ]),
        );
        for (const form of to) {
          const value = stored.get(form.moment);
          const sourceForm = from.find((f) => f.moment === form.moment);
          if (value === undefined || sourceForm === undefined)
            fail(
              `${at} has no state for '${torchName(form.moment)}' (its checkpoint${storedAs} keeps ${slots.join(", ")})`,
            );
          this.convert(value, sourceForm, form, param.dtype as Dtype, n, options, buffers);
        }
        return buffers;
      },
    };
  }

  /** The state of parameter i of group g as the checkpoint keeps it: each slot and its values (live views, and the maps). */
  tensors(g: number, i: number): { slot: string; values: StateArray }[] {
    const group = this.target.groups[g];
    const param = group.params[i];
    const forms = momentForms(
      this.target.own.kernel,
      group.layout[i],
      this.target.own.block(group.options, param.length),
    );
    return forms.flatMap((form) => {
      if (form.kind !== "blockwise") return [{ slot: form.slots[0], values: this.target.rawView(g, param, form.k) }];
      const [codes, absmax, qmap] = form.slots;
      return [
        { slot: codes, values: this.target.rawView(g, param, form.codes) },
        { slot: absmax, values: this.target.rawView(g, param, form.absmax) },
        { slot: qmap, values: mapOf(form.format, form.index === 0) },
      ];
    });
  }

  /** One form's stored values from a checkpoint entry, checked: float or bfloat16 values, or codes with their maxima. */
  private decode(
    at: string,
    entry: object,
    form: MomentForm,
    dtype: Dtype,
    n: number,
    allowNonFinite: boolean,
    fail: (message: string) => never,
  ): StateArray | { codes: Uint8Array; absmax: Float32Array } {
    const required = (slot: string) => {
      const value = own(entry, slot);
      if (value === undefined) fail(`${at} has no '${slot}' (a state after its first step needs it)`);
      return value;
    };
    const rules: TensorRules = { allowNonFinite, nonNegative: this.ranges[form.moment] === "nonNegative" };
    if (form.kind === "float")
      return decodeTensor(`${at}.${form.slots[0]}`, required(form.slots[0]), dtype, n, rules, fail);
    if (form.kind === "bfloat16")
      return decodeBfloat16(`${at}.${form.slots[0]}`, required(form.slots[0]), n, rules, fail);
    const [codesSlot, absmaxSlot, qmapSlot] = form.slots;
    const blocks = Math.ceil(n / form.blockSize);
    const codes = decodeCodes(`${at}.${codesSlot}`, required(codesSlot), n, form.format, fail);
    const absmax = decodeTensor(
      `${at}.${absmaxSlot}`,
      required(absmaxSlot),
      "float32",
      blocks,
      { allowNonFinite, nonNegative: true },
      fail,
    );
    const map = mapOf(form.format, form.index === 0);
    // FP8's map has NaN codes; whatever the map, each value must be its own.
    const qmap = decodeTensor(
      `${at}.${qmapSlot}`,
      required(qmapSlot),
      "float32",
      map.length,
      { allowNonFinite: true, nonNegative: false },
      fail,
    );
    const differs = map.findIndex((x, c) => !Object.is(x, qmap[c]));
    if (differs !== -1)
      fail(
        `${at}.${qmapSlot}[${differs}] is ${qmap[differs]}, but ${codesSlot}'s codes index ${MAP_NAMES[form.format][form.index]} map, which has ${map[differs]} there`,
      );
    return { codes, absmax: absmax as Float32Array };
  }

  /** Writes `value` (stored as `from`, of n elements) into `buffers` in the form `to`: copied where the forms are the same, else converted. */
  private convert(
    value: StateArray | { codes: Uint8Array; absmax: Float32Array },
    from: MomentForm,
    to: MomentForm,
    dtype: Dtype,
    n: number,
    options: object,
    buffers: (StateArray | null)[],
  ): void {
    if (
      from.kind === "blockwise" &&
      to.kind === "blockwise" &&
      from.format === to.format &&
      from.blockSize === to.blockSize
    ) {
      const { codes, absmax } = value as { codes: Uint8Array; absmax: Float32Array };
      buffers[to.codes] = codes;
      buffers[to.absmax] = absmax;
      return;
    }
    if (from.kind === to.kind && to.kind !== "blockwise") {
      buffers[to.k] = value as StateArray;
      return;
    }
    // Widened exactly to float32 (or the parameters' float64), then stored as the optimizer stores it.
    let values: FloatArray;
    if (from.kind === "blockwise") {
      const { codes, absmax } = value as { codes: Uint8Array; absmax: Float32Array };
      values = dequantizeBlockwise(codes, absmax, n, from.blockSize, from.format, from.index === 0);
    } else if (from.kind === "bfloat16") {
      values = Float32Array.from(value as Uint16Array, fromBfloat16);
    } else {
      values = value as FloatArray;
    }
    if (to.kind === "float")
      buffers[to.k] = dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
    else if (to.kind === "bfloat16") buffers[to.k] = Uint16Array.from(values, toBfloat16);
    else {
      const bitsandbytes = this.target.own.bitsandbytes(options);
      const { codes, absmax } = quantizeBlockwise(
        Float32Array.from(values),
        to.blockSize,
        to.format,
        to.index === 0,
        bitsandbytes,
      );
      buffers[to.codes] = codes;
      buffers[to.absmax] = absmax;
    }
  }
}

/**
 * The forms of a tensor's moments in `kernel`'s buffers of these `lengths` (null: none), in the
 * order of its declaration; `blockSize` is its block where it has codes.
 */
function momentForms(kernel: KernelName, lengths: readonly (number | null)[], blockSize: number | null): MomentForm[] {
  const names: readonly string[] = KERNEL_LAYOUTS[kernel].state;
  const elements: readonly string[] = KERNEL_LAYOUTS[kernel].stateElements;
  const forms: MomentForm[] = [];
  names.forEach((name, k) => {
    if (lengths[k] === null) return;
    const element = elements[k];
    if (element === "uint8") {
      const moment = name.replace(/Codes$/, "");
      const index = forms.filter((form) => form.kind === "blockwise").length;
      const n = index + 1;
      forms.push({
        kind: "blockwise",
        format: FORMATS[kernel] ?? "blockwise8",
        moment,
        index,
        codes: k,
        absmax: names.indexOf(`${moment}Absmax`),
        blockSize: blockSize as number,
        slots: [`state${n}`, `absmax${n}`, `qmap${n}`],
      });
    } else if (!(element === "float32" && name.endsWith("Absmax"))) {
      const kind = element === "bfloat16" ? "bfloat16" : "float";
      forms.push({ kind, moment: name, k, slots: [torchName(name)] } as MomentForm);
    }
  });
  return forms;
}

/** Every slot the storages write, for a tensor of any size (each buffer present). */
function allSlots(storages: readonly Storage[]): string[] {
  const slots = new Set<string>();
  for (const { kernel } of storages) {
    const lengths = KERNEL_LAYOUTS[kernel].state.map(() => 1);
    for (const form of momentForms(kernel, lengths, 1)) for (const slot of form.slots) slots.add(slot);
  }
  return [...slots];
}

/** A tensor of low-bit state in JSON-safe form: bfloat16 values as numbers, codes as numbers; float arrays as encodeTensor writes them. */
export function encodeStateTensor(values: StateArray): ReturnType<typeof encodeTensor> | JsonLowBitTensor {
  if (values instanceof Uint16Array)
    return { dtype: "bfloat16", data: Array.from(values, (word) => encodeNumber(fromBfloat16(word))) };
  if (values instanceof Uint8Array) return { dtype: "uint8", data: Array.from(values) };
  return encodeTensor(values);
}

/**
 * `n` bfloat16 values from a checkpoint: `{ dtype: "bfloat16", data }` of numbers that are exactly
 * bfloat16 values (JSON), or a Uint16Array of bfloat16 words (safetensors' BF16), as u16 words.
 */
function decodeBfloat16(
  where: string,
  value: unknown,
  n: number,
  rules: TensorRules,
  fail: (message: string) => never,
): Uint16Array {
  let words: Uint16Array;
  if (value instanceof Uint16Array) {
    if (value.length !== n) fail(`${where} has ${value.length} values, expected ${n}`);
    words = value.slice();
  } else {
    const data = tensorData(where, value, "bfloat16", "a Uint16Array of bfloat16 words", n, fail);
    words = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const x = decodeNumber(data[i]);
      if (x === undefined) fail(`${where}[${i}] is ${describe(data[i])}, not a number`);
      words[i] = toBfloat16(x);
      if (!Number.isNaN(x) && !Object.is(fromBfloat16(words[i]), x))
        fail(`${where}[${i}] is ${x}, which is not a bfloat16 value`);
    }
  }
  words.forEach((word, i) => {
    const x = fromBfloat16(word);
    if (!rules.allowNonFinite && !Number.isFinite(x))
      fail(`${where}[${i}] is ${x} (load with { allowNonFinite: true } to accept non-finite state)`);
    if (rules.nonNegative && x < 0) fail(`${where}[${i}] is ${x}, but this state is never negative`);
  });
  return words;
}

/**
 * The codes of `n` elements from a checkpoint, in `format`'s bytes (4-bit codes two per byte):
 * `{ dtype: "uint8", data }` of whole numbers from 0 to 255 (JSON), or a Uint8Array.
 */
function decodeCodes(
  where: string,
  value: unknown,
  n: number,
  format: QuantizedFormat,
  fail: (message: string) => never,
): Uint8Array {
  const bytes = codeBytes(format, n);
  if (value instanceof Uint8Array) {
    if (value.length !== bytes)
      fail(
        `${where} has ${value.length} bytes of codes, expected ${bytes} (${format === "blockwise4" ? "two codes per byte" : "one per element"})`,
      );
    return value.slice();
  }
  const data = tensorData(where, value, "uint8", "a Uint8Array", bytes, fail);
  const codes = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    const code = data[i];
    if (!(Number.isInteger(code) && (code as number) >= 0 && (code as number) <= 255))
      fail(`${where}[${i}] is ${describe(code)}, not a code (a whole number from 0 to 255)`);
    codes[i] = code as number;
  }
  return codes;
}

/** The `data` array of a JSON-safe tensor `{ dtype, data }` of this dtype and length; throws naming what differs. */
function tensorData(
  where: string,
  value: unknown,
  dtype: string,
  typed: string,
  n: number,
  fail: (message: string) => never,
): unknown[] {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || Array.isArray(value))
    fail(`${where} must be { dtype: '${dtype}', data: [...] } or ${typed}, got ${describe(value)}`);
  const given = own(value, "dtype");
  if (given !== dtype) fail(`${where} has dtype ${show(given)}, expected '${dtype}'`);
  const data = own(value, "data");
  if (!Array.isArray(data)) fail(`${where}.data must be an array, got ${describe(data)}`);
  if (data.length !== n) fail(`${where} has ${data.length} values, expected ${n}`);
  return data;
}
