/**
 * The plain-JS reference as a kernel table with the Wasm ABI, over the runtime's memory: the
 * third binary, slow and obviously right, that the Wasm kernels must match bit for bit. It decodes
 * the tensor table and the scalar block exactly as the generated Wasm kernels do and hands each
 * tensor to the kernel's rule (reference/<name>.ts) by name.
 */
import { KERNEL_LAYOUTS, REFERENCE_RULES } from "../generated/kernels.js";
import {
  KERNEL_NAMES,
  kernelKey,
  readScalars,
  ROWS_KERNEL_NAMES,
  rowsKernelKey,
  tableBuffers,
  type Dtype,
  type FlagsOf,
  type FloatArray,
  type Kernel,
  type KernelCall,
  type KernelName,
  type KernelTable,
  type ScalarsOf,
  type StateBufferOf,
} from "../runtime/kernels.js";
import type { Rounding } from "../runtime/load.js";
import { adafactorLengths, optaxAdafactorLengths } from "../runtime/state-lengths.js";
import { roundFor, type Round } from "./rules.js";
import { stateArrayType, stateElementsOf, type StateArray } from "../runtime/state-elements.js";

/**
 * Kernel K's update rule over one tensor: its arrays (empty where unused), scalars and flags, by
 * name. State buffers of low-bit elements (state-elements.ts) come as their own typed arrays.
 */
export type ReferenceRule<K extends KernelName> = (
  r: Round,
  buffers: Record<"param" | "grad" | StateBufferOf<K>, FloatArray>,
  scalars: ScalarsOf<K>,
  flags: FlagsOf<K>,
  /** The tensor's shape words, for kernels that declare shapeWords (runtime/shape-words.ts); empty otherwise. */
  shape: readonly number[],
) => void;

/**
 * The state buffer lengths of the kernels whose buffers are not all the tensor's length, from the
 * tensor's length, shape words and call: the reference views exactly these, so that reading past
 * them shows (undefined, NaN) instead of reading a neighbour's values as the Wasm kernel would.
 */
const STATE_LENGTHS: {
  [K in KernelName]?: (
    n: number,
    shape: readonly number[],
    call: KernelCall<K>,
  ) => Partial<Record<StateBufferOf<K>, number>>;
} = {
  adafactor: (n, shape) => adafactorLengths(n, shape),
  optaxAdafactor: (n, shape, { scalars, flags }) =>
    optaxAdafactorLengths(n, shape, flags.factored, scalars.minDimSizeToFactor),
  // The kernel tells an 8-bit tensor by its codes' address (0 for a float32 one, whose maxima are
  // absent too); every other buffer it has takes the tensor's length.
  adam8bit: (n, _shape, { scalars }) => {
    const blocks = Math.ceil(n / scalars.blockSize); // bitsandbytes' last block may be partial
    return { expAvgAbsmax: blocks, expAvgSqAbsmax: blocks };
  },
  // 4-bit codes are two per byte; FP8's one, as 8-bit ones.
  adam4bit: (n, _shape, { scalars }) => {
    const blocks = n / scalars.blockSize; // torchao's tensors are whole blocks
    return { expAvgCodes: n / 2, expAvgSqCodes: n / 2, expAvgAbsmax: blocks, expAvgSqAbsmax: blocks };
  },
  adamFp8: (n, _shape, { scalars }) => {
    const blocks = n / scalars.blockSize;
    return { expAvgAbsmax: blocks, expAvgSqAbsmax: blocks };
  },
  bnb8bit: (n, _shape, { scalars }) => ({ state1Absmax: Math.ceil(n / scalars.blockSize) }),
};

export function referenceKernels(memory: WebAssembly.Memory, rounding: Rounding): KernelTable {
  const table: Partial<KernelTable> = {};
  for (const name of KERNEL_NAMES) {
    for (const dtype of ["float32", "float64"] as const) {
      table[kernelKey(name, dtype)] = referenceKernel(memory, name, dtype, roundFor(dtype, rounding));
    }
  }
  for (const name of ROWS_KERNEL_NAMES) {
    for (const dtype of ["float32", "float64"] as const) {
      table[rowsKernelKey(name, dtype)] = referenceRowsKernel(memory, name, dtype, roundFor(dtype, rounding));
    }
  }
  return table as KernelTable;
}

/**
 * The rows kernel of a kernel that declares `rows` (generate.js's ROW_WORDS): the same rule, handed
 * one row at a time (views of that row of the table, of its state buffers, and of the gradient's row).
 */
function referenceRowsKernel(memory: WebAssembly.Memory, name: KernelName, dtype: Dtype, r: Round): Kernel {
  const View = dtype === "float32" ? Float32Array : Float64Array;
  const bytes = View.BYTES_PER_ELEMENT;
  const names = tableBuffers(name);
  const rows = KERNEL_LAYOUTS[name].rows as { tableStride: number; words: { indices: number; dim: number } };
  const words = rows.tableStride / 4;
  const rule = REFERENCE_RULES[name] as ReferenceRule<KernelName>;
  return (tableAddress, count, scalarsAddress) => {
    const { scalars, flags } = readScalars(memory, scalarsAddress, name);
    const rounded = Object.fromEntries(Object.entries(scalars).map(([key, value]) => [key, r(value as number)]));
    const entries = new Uint32Array(memory.buffer, tableAddress, count * words);
    for (let t = 0; t < count; t++) {
      const entry = entries.subarray(t * words, (t + 1) * words);
      const dim = entry[rows.words.dim];
      const rowCount = dim === 0 ? 0 : entry[0] / dim;
      const indices = new Uint32Array(memory.buffer, entry[rows.words.indices], rowCount);
      for (let k = 0; k < rowCount; k++) {
        const buffers = Object.fromEntries(
          names.map((buffer, b) => {
            const address = entry[1 + b];
            const row = buffer === "grad" ? k : indices[k];
            return [
              buffer,
              new View(memory.buffer, address === 0 ? 0 : address + row * dim * bytes, address === 0 ? 0 : dim),
            ];
          }),
        );
        rule(r, buffers as Record<string, FloatArray>, rounded as ScalarsOf<KernelName>, flags, []);
      }
    }
  };
}

function referenceKernel(memory: WebAssembly.Memory, name: KernelName, dtype: Dtype, r: Round): Kernel {
  const names = tableBuffers(name);
  // param and grad take the dtype, each state buffer its declared element.
  const views = ["param", "param", ...stateElementsOf(name)].map((element) =>
    stateArrayType(element as "param", dtype),
  );
  const words = KERNEL_LAYOUTS[name].tableStride / 4;
  const rule = REFERENCE_RULES[name] as ReferenceRule<KernelName>;
  const stateLengths = STATE_LENGTHS[name] as
    | ((n: number, shape: readonly number[], call: KernelCall<KernelName>) => Record<string, number | undefined>)
    | undefined;
  const blocked = KERNEL_LAYOUTS[name].blocks;
  return (tableAddress, count, scalarsAddress) => {
    const { scalars, flags } = readScalars(memory, scalarsAddress, name);
    // Scalars reach a kernel as float64 and are rounded to the element type once, as in Wasm,
    // except those the kernel declares it uses in double.
    const inDouble: readonly string[] = KERNEL_LAYOUTS[name].doubleScalars;
    const rounded = Object.fromEntries(
      Object.entries(scalars).map(([key, value]) => [key, inDouble.includes(key) ? value : r(value as number)]),
    );
    const entries = new Uint32Array(memory.buffer, tableAddress, count * words);
    for (let t = 0; t < count; t++) {
      const n = entries[t * words];
      // Shape words, if any, come before a blocked kernel's block words; the reference runs whole
      // tensors on one thread (phase 0), so it needs no block words.
      // A kernel's workspace word follows its shape words; the reference keeps its own arrays.
      const workspace: { word: number } | null = KERNEL_LAYOUTS[name].workspace;
      const shapeEnd = blocked !== null ? blocked.words.phase : workspace !== null ? workspace.word : words;
      const shape = Array.from(entries.subarray(t * words + 1 + names.length, t * words + shapeEnd));
      const lengths = stateLengths?.(n, shape, { scalars, flags }) ?? {};
      const buffers = Object.fromEntries(
        names.map((buffer, k) => {
          const address = entries[t * words + 1 + k];
          const View = views[k];
          return [buffer, new View(memory.buffer, address, address === 0 ? 0 : (lengths[buffer] ?? n))]; // 0: unused
        }),
      );
      rule(
        r,
        buffers as Record<string, FloatArray | StateArray> as Record<string, FloatArray>,
        rounded as ScalarsOf<KernelName>,
        flags,
        shape,
      );
    }
  };
}
