// torch.optim.Muon of torch 2.13 (torch/optim/muon.py, `_single_tensor_muon` and
// `_zeropower_via_newtonschulz`), for 2-D tensors. The Newton–Schulz iteration runs on bfloat16
// matrices as torch's does; its products here are exact dot products rounded once to float32 and
// then to bfloat16 (the frontier README's emulation), not the engine's float32 sums in order: an
// independent port, equal to torch up to the order of its float32 sums.
import { fromBfloat16, toBfloat16 } from "../../src/reference/bfloat16.js";
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

export interface MuonOptions {
  lr?: number;
  weightDecay?: number;
  momentum?: number;
  nesterov?: boolean;
  nsCoefficients?: [number, number, number];
  eps?: number;
  nsSteps?: number;
  adjustLrFn?: "original" | "match_rms_adamw" | null;
}

const DEFAULTS: Required<MuonOptions> = {
  lr: 1e-3,
  weightDecay: 0.1,
  momentum: 0.95,
  nesterov: true,
  nsCoefficients: [3.4445, -4.775, 2.0315],
  eps: 1e-7,
  nsSteps: 5,
  adjustLrFn: null,
};

/** `x.bfloat16()` of a float32 (a float64 is cast to float32 first, as torch's `.to` does). */
const bf16 = (x: number) => fromBfloat16(toBfloat16(Math.fround(x)));

/** A row-major matrix of bfloat16 values. */
interface Matrix {
  rows: number;
  cols: number;
  data: number[];
}

const transposed = ({ rows, cols, data }: Matrix): Matrix => ({
  rows: cols,
  cols: rows,
  data: Array.from({ length: rows * cols }, (_, i) => data[(i % rows) * cols + Math.floor(i / rows)]),
});

/** beta·C + alpha·(A·B), formed in double from exact products and rounded once to bfloat16 (torch.addmm). */
function addmm(c: Matrix | null, a: Matrix, b: Matrix, beta: number, alpha: number): Matrix {
  const data: number[] = [];
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let dot = 0;
      for (let k = 0; k < a.cols; k++) dot += a.data[i * a.cols + k] * b.data[k * b.cols + j];
      const product = Math.fround(dot);
      data.push(bf16(c === null ? product : beta * c.data[i * b.cols + j] + alpha * product));
    }
  }
  return { rows: a.rows, cols: b.cols, data };
}

/** `_zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps)`. */
function zeropower(grad: Tensor, [a, b, c]: [number, number, number], steps: number, eps: number): number[] {
  const [rows, cols] = grad.shape;
  let x: Matrix = { rows, cols, data: Array.from(grad.toTypedArray(), bf16) };
  if (rows > cols) x = transposed(x);
  const norm = bf16(Math.sqrt(x.data.reduce((sum, v) => sum + v * v, 0)));
  const divisor = Math.max(norm, bf16(eps));
  x = { ...x, data: x.data.map((v) => bf16(v / divisor)) };
  for (let s = 0; s < steps; s++) {
    const gram = addmm(null, x, transposed(x), 0, 1);
    const update = addmm(gram, gram, gram, b, c);
    x = addmm(x, update, x, a, 1);
  }
  return (rows > cols ? transposed(x) : x).data;
}

/** torch.optim.Muon: state `momentumBuffer`. */
export class TorchMuon extends TorchOptimizer<MuonOptions> {
  constructor(params: ParamsInput<MuonOptions>, options: MuonOptions = {}) {
    super(params, options, DEFAULTS, "Muon");
  }

  step(): void {
    for (const { params, options: o } of this.paramGroups) {
      for (const { param, grad, state } of this.withGrad(params)) {
        if (state.momentumBuffer === undefined) state.momentumBuffer = Tensor.zerosLike(param);
        const buf = stateTensor(state, "momentumBuffer");
        buf.lerp_(grad, 1 - o.momentum);
        const update = o.nesterov ? grad.clone().lerp_(buf, o.momentum) : buf;
        const [rows, cols] = param.shape;
        const ortho = Tensor.from(
          zeropower(
            Tensor.from(update.toTypedArray(), update.arithmetic, param.shape),
            o.nsCoefficients,
            o.nsSteps,
            o.eps,
          ),
          param.arithmetic,
        );
        const ratio =
          o.adjustLrFn === "match_rms_adamw"
            ? 0.2 * Math.sqrt(Math.max(rows, cols))
            : Math.sqrt(Math.max(1, rows / cols));
        param.mul_(1 - o.lr * o.weightDecay);
        param.add_(ortho, -(o.lr * ratio));
      }
    }
  }
}
