// bfloat16 as the kernels store it (assembly/lib/bfloat16.ts): the high half of a float32, u16 words.
const word = new Float32Array(1);
const bits = new Uint32Array(word.buffer);

/** The float32 value `x` rounded to nearest-even bfloat16, as a u16 word; every NaN is 0x7FC0 (torch's rule). */
export function toBfloat16(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  word[0] = x;
  const b = bits[0];
  return ((b + (((b >>> 16) & 1) + 0x7fff)) >>> 16) & 0xffff;
}

/** The value of the bfloat16 word `h` (exact in float32). */
export function fromBfloat16(h: number): number {
  bits[0] = h << 16;
  return word[0];
}
