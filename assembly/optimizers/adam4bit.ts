// Adam and AdamW with blockwise 4-bit moments, as torchao's Adam4bit and AdamW4bit compute them:
// blocks (128 elements by default) of codes into dynamic4_signed (m) and linear4_unsigned (v),
// two per byte. The blocks are adam8bit.ts's, in this format (lib/formats.ts):
// the table, scalars and workspace are laid out as there.
import { adam8bitTensors } from "./adam8bit";
import { BLOCKWISE4 } from "../lib/formats";

/** One step of `count` float32 tensors, the table and scalars as adam8bit_f32 takes them (without bitsandbytes' flag). */
export function adam4bit_f32(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 88);
  switch (flags) {
    case 0: adam8bitTensors(table, count, scalars, false, false, false, BLOCKWISE4); break;
    case 1: adam8bitTensors(table, count, scalars, true, false, false, BLOCKWISE4); break;
    case 2: adam8bitTensors(table, count, scalars, false, true, false, BLOCKWISE4); break;
    case 3: adam8bitTensors(table, count, scalars, true, true, false, BLOCKWISE4); break;
    default: unreachable();
  }
}

/** Low-bit moments are kept for float32 parameters only: the host never calls this (it refuses float64). */
export function adam4bit_f64(table: usize, count: usize, scalars: usize): void {
  unreachable();
}
