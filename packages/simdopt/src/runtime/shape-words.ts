/**
 * The words a hand-written kernel that declares `shapeWords` reads after a tensor's buffers: its
 * shape as that kernel views it (assembly/generate.js, SHAPE_WORDS, names the views).
 */

export type ShapeView = "lastTwoDims" | "twoLargestDims";

export function shapeWords(view: ShapeView, shape: readonly number[]): number[] {
  return view === "lastTwoDims" ? lastTwoDims(shape) : twoLargestDims(shape);
}

/** [rows, cols]: the last two dims of a shape with 2 or more, [0, 0] otherwise. */
export function lastTwoDims(shape: readonly number[]): [number, number] {
  return shape.length >= 2 ? [shape[shape.length - 2], shape[shape.length - 1]] : [0, 0];
}

/**
 * [outer, first, middle, second, inner, firstIsLarger]: the shape as [outer, first, middle,
 * second, inner], `first` and `second` its two largest dims in the order they come. The largest is
 * the last of the dims a stable ascending sort puts last (numpy's argsort on short shapes, as
 * optax picks them), so of two equal dims the later one; firstIsLarger is 1 when that is `first`.
 * All zeros below 2 dims.
 */
export function twoLargestDims(shape: readonly number[]): [number, number, number, number, number, number] {
  if (shape.length < 2) return [0, 0, 0, 0, 0, 0];
  const sorted = shape.map((_, k) => k).sort((a, b) => shape[a] - shape[b] || a - b);
  const largest = sorted[sorted.length - 1];
  const secondLargest = sorted[sorted.length - 2];
  const [i, j] = largest < secondLargest ? [largest, secondLargest] : [secondLargest, largest];
  const product = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  return [product(0, i), shape[i], product(i + 1, j), shape[j], product(j + 1, shape.length), largest === i ? 1 : 0];
}
