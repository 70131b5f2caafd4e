// Adam and AdamW with blockwise float8_e4m3fn moments, as torchao's AdamFp8 and AdamWFp8 compute
// them: a code per element, each block's scale its largest magnitude over 448. The blocks are
// adam8bit.ts's, in this format (lib/formats.ts): the table, scalars and workspace are laid out as there.
import { adam8bitTensors } from "./adam8bit";
import { E4M3FN } from "../lib/formats";

/** One step of `count` float32 tensors, the table and scalars as adam8bit_f32 takes them (without bitsandbytes' flag). */
export function adamFp8_f32(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 88);
  switch (flags) {
    case 0: adam8bitTensors(table, count, scalars, false, false, false, E4M3FN); break;
    case 1: adam8bitTensors(table, count, scalars, true, false, false, E4M3FN); break;
    case 2: adam8bitTensors(table, count, scalars, false, true, false, E4M3FN); break;
    case 3: adam8bitTensors(table, count, scalars, true, true, false, E4M3FN); break;
    default: unreachable();
  }
}

/** Low-bit moments are kept for float32 parameters only: the host never calls this (it refuses float64). */
export function adamFp8_f64(table: usize, count: usize, scalars: usize): void {
  unreachable();
}
