// torch.optim.Adafactor of torch 2.x (torch/optim/_adafactor.py), `_single_tensor_adafactor`: a
// tensor of 2 or more dims keeps row_var [..., rows, 1] and col_var [..., 1, cols], a 1-D one
// keeps variance. The shaped operations are written out over the flat row-major data.
//
// Reductions follow simdopt's convention, not torch's CPU reduction order (which no other port
// could match either): a norm is √ of the sum of x² in double, the runs along the last dim summed
// one by one in lane order (value k of a run to partial k mod lanes, 4 for float32, 2 for float64,
// added ((s0 + s1) + s2) + s3), the runs' sums added in order per block of the kernel (BLOCK
// elements of a 1-D tensor; whole batches or rows, `rowBlocks`) and the blocks' sums in order;
// `norm(dim=-1)²/n` is that run's sum divided and rounded once; the mean over rows adds the rows
// in order per block, then the blocks; a column's sum adds its rows in order. lerp is torch's
// scalar lerp.
import { KERNEL_LAYOUTS } from "../../dist/generated/kernels.js";
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

const BLOCK = KERNEL_LAYOUTS.adafactor.blocks.elements;

/** torch.optim.Adafactor's options in camelCase. */
export interface AdafactorOptions {
  lr?: number;
  beta2Decay?: number;
  /** [eps1 (null: the dtype's machine epsilon), eps2]. */
  eps?: [number | null, number];
  d?: number;
  weightDecay?: number;
  maximize?: boolean;
}

const DEFAULTS: Required<AdafactorOptions> = {
  lr: 1e-2,
  beta2Decay: -0.8,
  eps: [null, 1e-3],
  d: 1,
  weightDecay: 0,
  maximize: false,
};

/** torch.optim.Adafactor: state `step` (a float32 0-dim tensor), `rowVar` and `colVar` (2 or more dims) or `variance`. */
export class TorchAdafactor extends TorchOptimizer<AdafactorOptions> {
  constructor(params: ParamsInput<AdafactorOptions>, options: AdafactorOptions = {}) {
    super(params, options, DEFAULTS, "Adafactor");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, grad, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = Tensor.scalar(0, "float32");
          if (grad.shape.length > 1) {
            const rowShape = [...grad.shape.slice(0, -1), 1];
            const colShape = [...grad.shape.slice(0, -2), 1, grad.shape[grad.shape.length - 1]];
            state.rowVar = zeros(rowShape, param);
            state.colVar = zeros(colShape, param);
          } else {
            state.variance = Tensor.zerosLike(param);
          }
        }
      }
      singleTensorAdafactor(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => (f.state.rowVar === undefined ? null : stateTensor(f.state, "rowVar"))),
        found.map((f) => (f.state.colVar === undefined ? null : stateTensor(f.state, "colVar"))),
        found.map((f) => (f.state.variance === undefined ? null : stateTensor(f.state, "variance"))),
        found.map((f) => stateTensor(f.state, "step")),
        options,
      );
    }
  }
}

function zeros(shape: readonly number[], like: Tensor): Tensor {
  return Tensor.from(new Float64Array(shape.reduce((a, b) => a * b, 1)), like.arithmetic, shape);
}

/** Python's max(a, b): a unless b > a. */
const pythonMax = (a: number, b: number) => (b > a ? b : a);

/** Σ x² of one run in double, in lane order (see the module comment). */
function runSumOfSquares(values: ArrayLike<number>, lanes: number): number {
  const partials = [0, 0, 0, 0];
  for (let k = 0; k < values.length; k++) partials[k % lanes] += values[k] * values[k];
  return partials[0] + partials[1] + partials[2] + partials[3];
}

/**
 * The kernel's blocks of a tensor viewed as [batch, rows, cols], as [first row, end row): whole
 * batches, ⌊BLOCK/(rows·cols)⌋ of them, where a batch has at most BLOCK elements; otherwise
 * max(1, ⌊BLOCK/cols⌋) rows of one batch.
 */
function rowBlocks(batches: number, rows: number, cols: number): [number, number][] {
  const blocks: [number, number][] = [];
  if (rows * cols <= BLOCK) {
    const perBlock = Math.floor(BLOCK / (rows * cols)) * rows;
    for (let from = 0; from < batches * rows; from += perBlock)
      blocks.push([from, Math.min(from + perBlock, batches * rows)]);
    return blocks;
  }
  const perBlock = Math.max(1, Math.floor(BLOCK / cols));
  for (let b = 0; b < batches; b++) {
    for (let from = 0; from < rows; from += perBlock)
      blocks.push([b * rows + from, b * rows + Math.min(from + perBlock, rows)]);
  }
  return blocks;
}

/** Σ of `values` (one per row) per block of rows (`rowBlocks`) where `keep(row)`, then the blocks' sums in order. */
function sumInRowBlocks(values: ArrayLike<number>, blocks: [number, number][], keep = (_row: number) => true): number {
  let sum = 0;
  for (const [from, to] of blocks) {
    let block = 0;
    for (let k = from; k < to; k++) if (keep(k)) block += values[k];
    sum += block;
  }
  return sum;
}

/** `t.norm(2).item()`: the runs along the last dim summed per block, then the blocks (see the module comment). */
function norm(t: Tensor): number {
  const lanes = t.dtype === "float32" ? 4 : 2;
  if (t.shape.length < 2) {
    const blocks = Array.from({ length: Math.ceil(t.length / BLOCK) }, (_, b) =>
      runSumOfSquares(t.data.subarray(b * BLOCK, (b + 1) * BLOCK), lanes),
    );
    return Math.sqrt(blocks.reduce((sum, block) => sum + block, 0));
  }
  const rows = t.shape[t.shape.length - 2];
  const cols = t.shape[t.shape.length - 1];
  const runs = Array.from({ length: t.length / cols }, (_, r) =>
    runSumOfSquares(t.data.subarray(r * cols, (r + 1) * cols), lanes),
  );
  return Math.sqrt(sumInRowBlocks(runs, rowBlocks(t.length / (rows * cols), rows, cols)));
}

/** torch's scalar lerp: self + w·(end − self) for w < ½, end − (end − self)·(1 − w) otherwise. */
function lerp(round: (x: number) => number, start: number, end: number, weight: number): number {
  return weight < 0.5
    ? round(start + round(weight * round(end - start)))
    : round(end - round(round(end - start) * round(1 - weight)));
}

/** `_single_tensor_adafactor`. */
function singleTensorAdafactor(
  params: Tensor[],
  grads: Tensor[],
  rowVars: (Tensor | null)[],
  colVars: (Tensor | null)[],
  variances: (Tensor | null)[],
  stateSteps: Tensor[],
  { d, lr, beta2Decay, weightDecay, eps: [eps1Option, eps2], maximize }: Required<AdafactorOptions>,
): void {
  params.forEach((param, i) => {
    const grad = maximize ? grads[i].neg() : grads[i];
    const stepT = stateSteps[i];
    const round = param.dtype === "float32" ? Math.fround : (x: number) => x;
    const eps1 = eps1Option ?? (param.dtype === "float32" ? 2 ** -23 : 2 ** -52); // torch.finfo(dtype).eps

    // update step
    stepT.add_(1);
    const stepFloat = stepT.item();

    const oneMinusBeta2T = round(stepFloat ** beta2Decay); // a Python float, converted by lerp_
    const rhoT = Math.min(lr, 1 / stepFloat ** 0.5);
    const alpha = pythonMax(eps2, norm(param) / Math.sqrt(param.length)) * rhoT;

    // Perform stepweight decay
    if (weightDecay !== 0) param.mul_(1 - lr * weightDecay);

    const g = grad.data;
    let varEstimate: Float64Array;
    if (grad.shape.length > 1) {
      const rowVar = rowVars[i] as Tensor;
      const colVar = colVars[i] as Tensor;
      const rows = grad.shape[grad.shape.length - 2];
      const cols = grad.shape[grad.shape.length - 1];
      const batches = grad.length / (rows * cols);
      const lanes = grad.dtype === "float32" ? 4 : 2;
      varEstimate = new Float64Array(grad.length);
      for (let b = 0; b < batches; b++) {
        // row_mean = norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1)); row_var.lerp_(row_mean, w)
        for (let r = 0; r < rows; r++) {
          const start = (b * rows + r) * cols;
          const rowMean = round(runSumOfSquares(g.subarray(start, start + cols), lanes) / cols);
          rowVar.data[b * rows + r] = lerp(round, rowVar.data[b * rows + r], rowMean, oneMinusBeta2T);
        }
        // col_mean = norm(grad, dim=-2, keepdim=True).square_().div_(grad.size(-2)); col_var.lerp_(col_mean, w)
        for (let c = 0; c < cols; c++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += g[(b * rows + r) * cols + c] * g[(b * rows + r) * cols + c];
          colVar.data[b * cols + c] = lerp(round, colVar.data[b * cols + c], round(s / rows), oneMinusBeta2T);
        }
        // var_estimate = row_var @ col_var; var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
        const inBatch = (row: number) => Math.floor(row / rows) === b;
        const s = sumInRowBlocks(rowVar.data, rowBlocks(batches, rows, cols), inBatch);
        const mean = Math.max(round(s / rows), round(eps1));
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const outer = round(rowVar.data[b * rows + r] * colVar.data[b * cols + c]);
            varEstimate[(b * rows + r) * cols + c] = round(outer / mean);
          }
        }
      }
    } else {
      // grad_squared = grad * grad; variance.lerp_(grad_squared, w); var_estimate = variance.clone()
      const variance = variances[i] as Tensor;
      variance.data.forEach((v, k) => (variance.data[k] = lerp(round, v, round(g[k] * g[k]), oneMinusBeta2T)));
      varEstimate = variance.data.slice();
    }

    // update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_(); update.mul_(grad)
    const floor = round(eps1 * eps1);
    const update = Tensor.from(
      Array.from(varEstimate, (v, k) => round(round(1 / round(Math.sqrt(Math.max(v, floor)))) * g[k])),
      param.arithmetic,
      grad.shape,
    );
    const denom = pythonMax(1.0, norm(update) / (Math.sqrt(update.length) * d));
    param.add_(update, -alpha / denom);
  });
}
