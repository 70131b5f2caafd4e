/**
 * The slices of a call of a kernel in parts (its declaration's `parts`, assembly/generate.js:
 * Muon), phase by phase: such a kernel cuts each tensor in parts itself (Muon: runs of the rows of
 * its matrix) and computes, in phase k, the part's share of that phase's results, so a step is
 * every part of phase 1, joined, then every part of phase 2, and so on. Slice p of a phase holds
 * part p of each tensor of `minElements` elements or more; a smaller tensor runs whole (phase 0:
 * every phase, on one thread) in the first phase only, in the slice where its elements fall when
 * the small tensors' elements are dealt out evenly, since the joins would cost it more than the
 * threads save.
 */
import type { KernelName } from "../runtime/kernels.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";

/** What a kernel in parts declares: its phase counts, the scalar that counts repeats, its entry words. */
export interface PartsLayout {
  readonly before: number;
  readonly repeated: number;
  readonly after: number;
  readonly repeats: string;
  readonly minElements: number;
  readonly words: { readonly phase: number; readonly part: number; readonly parts: number };
}

/** The layout of `kernel`'s parts, or null when it is not a kernel in parts. */
export function partsLayout(kernel: KernelName): PartsLayout | null {
  return KERNEL_LAYOUTS[kernel].parts;
}

/**
 * The phases of one call of a kernel in parts: before + repeated·r + after, r the scalar `repeats`
 * of the call's scalar block at byte address `scalars` (a whole number, as the kernel reads it).
 */
export function partPhaseCount(
  memory: WebAssembly.Memory,
  kernel: KernelName,
  parts: PartsLayout,
  scalars: number,
): number {
  const index = (KERNEL_LAYOUTS[kernel].scalars as readonly string[]).indexOf(parts.repeats);
  const repeats = Math.trunc(new DataView(memory.buffer).getFloat64(scalars + 8 * index, true));
  return parts.before + parts.repeated * Math.max(0, repeats) + parts.after;
}

/**
 * The entries of each of `phaseCount` phases, `slices` slices each: `entries[phase][slice]` lists
 * table entries (words), the tensors' own entries (`whole`, phase 0 of part 0 of 1) with the part
 * words set; `lengths[t]` is tensor t's element count.
 */
export function partEntries(
  parts: PartsLayout,
  whole: readonly (readonly number[])[],
  lengths: readonly number[],
  slices: number,
  phaseCount: number,
): number[][][][] {
  const entries: number[][][][] = Array.from({ length: phaseCount }, () => Array.from({ length: slices }, () => []));
  const small = lengths.reduce((total, n) => total + (n < parts.minElements ? n : 0), 0);
  const perSlice = Math.max(1, Math.ceil(small / slices));
  let dealt = 0; // elements of the small tensors before this one
  whole.forEach((entry, t) => {
    if (lengths[t] < parts.minElements) {
      entries[0][Math.min(slices - 1, Math.floor(dealt / perSlice))].push([...entry]);
      dealt += lengths[t];
      return;
    }
    for (let phase = 0; phase < phaseCount; phase++) {
      for (let slice = 0; slice < slices; slice++) {
        const part = [...entry];
        part[parts.words.phase] = phase + 1;
        part[parts.words.part] = slice;
        part[parts.words.parts] = slices;
        entries[phase][slice].push(part);
      }
    }
  });
  return entries;
}
