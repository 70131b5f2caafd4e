/**
 * The blocks a blocked kernel (its declaration's `blocks`, assembly/generate.js) sums one tensor
 * in, and where each starts. The kernel computes the same blocks, so the tensor table gives it a
 * scratch slot per block and the threads cut the tensor (slices.ts) where the kernel expects.
 * A block is `elements` elements, the last one shorter; with `wholeRows`, a tensor viewed as
 * [batch, rows, cols] (its shape words, rows > 0) has blocks of ⌊elements/(rows·cols)⌋ whole
 * batches where a batch has at most `elements` elements (the last block fewer), and otherwise
 * blocks of max(1, ⌊elements/cols⌋) whole rows of one batch (the last block of each batch fewer).
 */
export interface BlocksLayout {
  readonly elements: number;
  readonly wholeRows: boolean;
}

export interface TensorBlocks {
  /** Blocks of the tensor (0 for an empty one). */
  readonly count: number;
  /** The index of block `b`'s first element; `start(count)` is the tensor's length. */
  start(b: number): number;
}

/** The blocks of a tensor of `n` elements whose shape words are `shape` ([rows, cols] or none). */
export function tensorBlocks(layout: BlocksLayout, n: number, shape: readonly number[]): TensorBlocks {
  const [rows = 0, cols = 0] = shape;
  if (!layout.wholeRows || rows === 0 || n === 0) {
    return {
      count: Math.ceil(n / layout.elements),
      start: (b) => Math.min(b * layout.elements, n),
    };
  }
  const batches = n / (rows * cols);
  if (rows * cols <= layout.elements) {
    const batchesPerBlock = Math.floor(layout.elements / (rows * cols));
    return {
      count: Math.ceil(batches / batchesPerBlock),
      start: (b) => Math.min(b * batchesPerBlock, batches) * rows * cols,
    };
  }
  const rowsPerBlock = Math.max(1, Math.floor(layout.elements / cols));
  const perBatch = Math.ceil(rows / rowsPerBlock);
  return {
    count: batches * perBatch,
    start: (b) => {
      const batch = Math.floor(b / perBatch);
      return (batch * rows + Math.min((b % perBatch) * rowsPerBlock, rows)) * cols;
    },
  };
}
