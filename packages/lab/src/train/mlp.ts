/**
 * A multilayer perceptron 784 → hidden (ReLU) → 10 (softmax, cross-entropy) whose weights are
 * simdopt parameters (float32, in Wasm memory). Forward and backward passes are plain TypeScript over
 * sparse inputs; the optimizer step is simdopt's.
 */
import type { Parameter, Runtime } from "simdopt";
import { seededRandom } from "../random.js";
import { PIXELS, type DigitSet } from "./digits.js";

const CLASSES = 10;

/** The network: w1 is stored input-major (784 × hidden), w2 hidden-major (hidden × 10). */
export class Mlp {
  readonly w1: Parameter<"float32">;
  readonly b1: Parameter<"float32">;
  readonly w2: Parameter<"float32">;
  readonly b2: Parameter<"float32">;
  readonly #hidden: Float32Array;
  readonly #probabilities = new Float64Array(CLASSES);
  readonly #dHidden: Float64Array;

  /** He-uniform weights from `seed`, zero biases. */
  constructor(
    runtime: Runtime,
    readonly hiddenSize = 128,
    seed = 7,
  ) {
    if (!Number.isInteger(hiddenSize) || hiddenSize < 1)
      throw new RangeError(`simdopt-lab: hidden size must be a whole number ≥ 1, got ${hiddenSize}`);
    const random = seededRandom(seed);
    const uniform = (n: number, fanIn: number) => {
      const limit = Math.sqrt(6 / fanIn);
      return Float32Array.from({ length: n }, () => (2 * random() - 1) * limit);
    };
    this.w1 = runtime.parameter(uniform(PIXELS * hiddenSize, PIXELS), { name: "w1" });
    this.b1 = runtime.parameter(hiddenSize, { name: "b1" });
    this.w2 = runtime.parameter(uniform(hiddenSize * CLASSES, hiddenSize), { name: "w2" });
    this.b2 = runtime.parameter(CLASSES, { name: "b2" });
    this.#hidden = new Float32Array(hiddenSize);
    this.#dHidden = new Float64Array(hiddenSize);
  }

  /** The parameters, for an optimizer. */
  get parameters(): Parameter<"float32">[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  /** Sample `s`'s class probabilities into this.#probabilities (and hidden activations); returns the arg max. */
  #forward(set: DigitSet, s: number): number {
    const h = this.#hidden;
    const H = this.hiddenSize;
    const w1 = this.w1.data;
    h.set(this.b1.data);
    for (let p = set.offsets[s]; p < set.offsets[s + 1]; p++) {
      const v = set.values[p];
      const row = set.indices[p] * H;
      for (let j = 0; j < H; j++) h[j] += v * w1[row + j];
    }
    for (let j = 0; j < H; j++) if (h[j] < 0) h[j] = 0;
    const w2 = this.w2.data;
    const b2 = this.b2.data;
    const z = this.#probabilities;
    let max = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let sum = b2[c];
      for (let j = 0; j < H; j++) sum += h[j] * w2[j * CLASSES + c];
      z[c] = sum;
      max = Math.max(max, sum);
    }
    let total = 0;
    let best = 0;
    for (let c = 0; c < CLASSES; c++) {
      if (z[c] === max) best = c;
      z[c] = Math.exp(z[c] - max);
      total += z[c];
    }
    for (let c = 0; c < CLASSES; c++) z[c] /= total;
    return best;
  }

  /**
   * Mean cross-entropy of the samples `batch` of `set`, with its gradient written into every
   * parameter's `grad` (replacing what was there).
   */
  lossAndGradient(set: DigitSet, batch: ArrayLike<number>): number {
    const H = this.hiddenSize;
    const [g1, gb1, g2, gb2] = this.parameters.map((p) => p.grad.fill(0));
    const w2 = this.w2.data;
    const scale = 1 / batch.length;
    const dh = this.#dHidden;
    let loss = 0;
    for (let b = 0; b < batch.length; b++) {
      const s = batch[b];
      this.#forward(set, s);
      const p = this.#probabilities;
      const h = this.#hidden;
      const label = set.labels[s];
      loss -= Math.log(Math.max(p[label], 1e-30));
      dh.fill(0);
      for (let c = 0; c < CLASSES; c++) {
        const dz = (p[c] - (c === label ? 1 : 0)) * scale;
        gb2[c] += dz;
        for (let j = 0; j < H; j++) {
          g2[j * CLASSES + c] += dz * h[j];
          dh[j] += dz * w2[j * CLASSES + c];
        }
      }
      for (let j = 0; j < H; j++) if (h[j] <= 0) dh[j] = 0;
      for (let j = 0; j < H; j++) gb1[j] += dh[j];
      for (let q = set.offsets[s]; q < set.offsets[s + 1]; q++) {
        const v = set.values[q];
        const row = set.indices[q] * H;
        for (let j = 0; j < H; j++) g1[row + j] += v * dh[j];
      }
    }
    return loss * scale;
  }

  /** Accuracy and mean cross-entropy over the whole of `set`. */
  evaluate(set: DigitSet): { accuracy: number; loss: number } {
    let correct = 0;
    let loss = 0;
    for (let s = 0; s < set.count; s++) {
      if (this.#forward(set, s) === set.labels[s]) correct++;
      loss -= Math.log(Math.max(this.#probabilities[set.labels[s]], 1e-30));
    }
    return { accuracy: correct / set.count, loss: loss / set.count };
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const p of this.parameters) p.dispose();
  }
}
