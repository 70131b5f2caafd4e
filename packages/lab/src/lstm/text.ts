/**
 * The language model's text: the opening of Shakespeare's Coriolanus (public domain, 48 KB, shipped in
 * this package's `data/`; nothing is downloaded), as character codes over its own alphabet. The first
 * 90% is for training, the rest held out.
 */
import { readFileSync } from "node:fs";

/** A text as indices into its alphabet. */
export interface CharText {
  /** The distinct characters, sorted; a character's index is its code. */
  readonly alphabet: string;
  readonly train: Uint8Array;
  readonly heldOut: Uint8Array;
}

/** The file the lab reads (the package's `data/coriolanus.txt`). */
export const TEXT_FILE = new URL("../../data/coriolanus.txt", import.meta.url);

/** `text` encoded over its own alphabet, split at `trainFraction` (at a character). */
export function encodeText(text: string, trainFraction = 0.9): CharText {
  if (!(trainFraction > 0 && trainFraction < 1))
    throw new RangeError(`simdopt-lab: trainFraction must be in (0, 1), got ${trainFraction}`);
  const alphabet = [...new Set(text)].sort().join("");
  if (alphabet.length > 256)
    throw new RangeError(`simdopt-lab: a text of at most 256 characters, got ${alphabet.length}`);
  const codes = Uint8Array.from(text, (c) => alphabet.indexOf(c));
  const cut = Math.floor(codes.length * trainFraction);
  if (cut < 2 || codes.length - cut < 2)
    throw new RangeError(`simdopt-lab: a text of ${codes.length} characters is too short to split`);
  return { alphabet, train: codes.subarray(0, cut), heldOut: codes.subarray(cut) };
}

/** The lab's text, encoded and split. */
export function loadText(): CharText {
  return encodeText(readFileSync(TEXT_FILE, "utf8"));
}
