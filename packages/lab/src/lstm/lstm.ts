/**
 * A one-layer character-level LSTM language model whose weights are simdopt parameters (in Wasm
 * memory): one-hot characters in, an LSTM cell (torch's gate order i, f, g, o), a softmax over the
 * alphabet out. Forward and backward passes (truncated backpropagation through time over short
 * segments) are plain TypeScript in float64 arithmetic; the optimizer step is simdopt's.
 */
import type { Dtype, Parameter, Runtime } from "simdopt";
import { seededRandom } from "../random.js";

/** The running state of `streams` text streams: h and c of each, stream after stream. */
export interface LstmState {
  readonly streams: number;
  readonly h: Float64Array;
  readonly c: Float64Array;
}

/** The model's size and its weights' seed and dtype. */
export interface LstmOptions {
  hiddenSize?: number;
  seed?: number;
  /** The parameters' dtype (float32 for training; float64 lets a test check gradients closely). */
  dtype?: Dtype;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The network. With V characters and H hidden units: `wx` (V × 4H) holds the gate inputs of each
 * one-hot character (a row per character), `wh` (4H × H) the recurrent weights, `b` (4H) the gate
 * biases, `wy` (V × H) and `by` (V) the output layer. Gates are stored i, f, g, o, H each.
 */
export class Lstm {
  readonly wx: Parameter;
  readonly wh: Parameter;
  readonly b: Parameter;
  readonly wy: Parameter;
  readonly by: Parameter;
  readonly hiddenSize: number;
  // Per segment, per step: gate activations (4H), cell (H), tanh of the cell (H), hidden (H), output probabilities (V).
  #gates = new Float64Array(0);
  #cells = new Float64Array(0);
  #cellTanh = new Float64Array(0);
  #hiddens = new Float64Array(0);
  #probabilities = new Float64Array(0);

  /** Uniform weights in ±1/√H (torch's LSTM and Linear), forget-gate biases 1 (a cell that remembers from the start), from `seed`. */
  constructor(
    runtime: Runtime,
    readonly vocabulary: number,
    options: LstmOptions = {},
  ) {
    const { hiddenSize = 64, seed = 11, dtype = "float32" } = options;
    if (!Number.isInteger(vocabulary) || vocabulary < 2 || vocabulary > 256)
      throw new RangeError(`simdopt-lab: the alphabet takes 2 to 256 characters, got ${vocabulary}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize < 1)
      throw new RangeError(`simdopt-lab: hidden size must be a whole number ≥ 1, got ${hiddenSize}`);
    this.hiddenSize = hiddenSize;
    const H = hiddenSize;
    const V = vocabulary;
    const random = seededRandom(seed);
    const limit = 1 / Math.sqrt(H);
    const uniform = (n: number) => Array.from({ length: n }, () => (2 * random() - 1) * limit);
    const bias = uniform(4 * H);
    bias.fill(1, H, 2 * H);
    this.wx = runtime.parameter(uniform(V * 4 * H), { dtype, name: "wx", shape: [V, 4 * H] });
    this.wh = runtime.parameter(uniform(4 * H * H), { dtype, name: "wh", shape: [4 * H, H] });
    this.b = runtime.parameter(bias, { dtype, name: "b" });
    this.wy = runtime.parameter(uniform(V * H), { dtype, name: "wy", shape: [V, H] });
    this.by = runtime.parameter(uniform(V), { dtype, name: "by" });
  }

  /** Every parameter, for an optimizer. */
  get parameters(): Parameter[] {
    return [this.wx, this.wh, this.b, this.wy, this.by];
  }

  /** The 2-D weight matrices (wx, wh, wy). */
  get matrices(): Parameter[] {
    return [this.wx, this.wh, this.wy];
  }

  /** The bias vectors (b, by). */
  get vectors(): Parameter[] {
    return [this.b, this.by];
  }

  /** A zero state for `streams` streams. */
  initialState(streams: number): LstmState {
    return {
      streams,
      h: new Float64Array(streams * this.hiddenSize),
      c: new Float64Array(streams * this.hiddenSize),
    };
  }

  /**
   * Mean cross-entropy (nats per character) of predicting each segment's characters 1..T from
   * 0..T−1, one segment per stream of `state`, starting from `state` (which then holds the state
   * after the segments). The gradient is written into every parameter's `grad` (replacing what was
   * there); it does not flow back into the starting state (truncated backpropagation).
   */
  lossAndGradient(segments: readonly ArrayLike<number>[], state: LstmState): number {
    const T = this.#checkSegments(segments, state);
    const H = this.hiddenSize;
    const V = this.vocabulary;
    const G = 4 * H;
    const [gwx, gwh, gb, gwy, gby] = this.parameters.map((p) => p.grad.fill(0));
    const wh = this.wh.data;
    const wy = this.wy.data;
    const scale = 1 / (segments.length * T);
    const dz = new Float64Array(G);
    const dh = new Float64Array(H);
    const dhNext = new Float64Array(H);
    const dcNext = new Float64Array(H);
    let loss = 0;
    for (let s = 0; s < segments.length; s++) {
      const segment = segments[s];
      const h0 = state.h.slice(s * H, (s + 1) * H);
      const c0 = state.c.slice(s * H, (s + 1) * H);
      loss += this.#forward(segment, T, state, s);
      dhNext.fill(0);
      dcNext.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const x = segment[t];
        const gates = this.#gates.subarray(t * G, (t + 1) * G);
        const h = this.#hiddens.subarray(t * H, (t + 1) * H);
        const tc = this.#cellTanh.subarray(t * H, (t + 1) * H);
        const cPrev = t > 0 ? this.#cells.subarray((t - 1) * H, t * H) : c0;
        const hPrev = t > 0 ? this.#hiddens.subarray((t - 1) * H, t * H) : h0;
        const p = this.#probabilities.subarray(t * V, (t + 1) * V);
        const target = segment[t + 1];
        dh.set(dhNext);
        for (let v = 0; v < V; v++) {
          const dy = (p[v] - (v === target ? 1 : 0)) * scale;
          gby[v] += dy;
          const row = v * H;
          for (let j = 0; j < H; j++) {
            gwy[row + j] += dy * h[j];
            dh[j] += dy * wy[row + j];
          }
        }
        for (let j = 0; j < H; j++) {
          const i = gates[j];
          const f = gates[H + j];
          const g = gates[2 * H + j];
          const o = gates[3 * H + j];
          const dc = dcNext[j] + dh[j] * o * (1 - tc[j] * tc[j]);
          dz[j] = dc * g * i * (1 - i);
          dz[H + j] = dc * cPrev[j] * f * (1 - f);
          dz[2 * H + j] = dc * i * (1 - g * g);
          dz[3 * H + j] = dh[j] * tc[j] * o * (1 - o);
          dcNext[j] = dc * f;
        }
        dhNext.fill(0);
        const xRow = x * G;
        for (let k = 0; k < G; k++) {
          const d = dz[k];
          gb[k] += d;
          gwx[xRow + k] += d;
          const row = k * H;
          for (let j = 0; j < H; j++) {
            gwh[row + j] += d * hPrev[j];
            dhNext[j] += d * wh[row + j];
          }
        }
      }
    }
    return loss * scale;
  }

  /** Mean cross-entropy (nats per character) of predicting `text` character by character from a zero state. */
  evaluate(text: ArrayLike<number>): number {
    if (text.length < 2)
      throw new RangeError(`simdopt-lab: evaluation needs at least 2 characters, got ${text.length}`);
    const state = this.initialState(1);
    const chunk = 256;
    let loss = 0;
    for (let start = 0; start + 1 < text.length; start += chunk) {
      const segment = Array.prototype.slice.call(text, start, Math.min(start + chunk + 1, text.length)) as number[];
      loss += this.#forward(segment, segment.length - 1, state, 0);
    }
    return loss / (text.length - 1);
  }

  /**
   * `length` characters drawn one at a time from the model's distribution (sharpened by
   * `temperature`), after reading `prompt` (codes) from a zero state; returns their codes.
   */
  sample(prompt: readonly number[], length: number, random: () => number, temperature = 0.7): number[] {
    if (prompt.length < 1) throw new RangeError("simdopt-lab: sampling needs a prompt of at least one character");
    const V = this.vocabulary;
    const state = this.initialState(1);
    if (prompt.length > 1) this.#forward(prompt, prompt.length - 1, state, 0);
    const out: number[] = [];
    let x = prompt[prompt.length - 1];
    for (let n = 0; n < length; n++) {
      this.#forward([x, 0], 1, state, 0);
      const p = this.#probabilities.subarray(0, V);
      const weights = Array.from(p, (q) => q ** (1 / temperature));
      let r = random() * weights.reduce((a, b) => a + b, 0);
      x = V - 1;
      for (let v = 0; v < V; v++) {
        r -= weights[v];
        if (r < 0) {
          x = v;
          break;
        }
      }
      out.push(x);
    }
    return out;
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const p of this.parameters) p.dispose();
  }

  /** Checks the segments against the state and the alphabet; returns T (each segment holds T + 1 codes). */
  #checkSegments(segments: readonly ArrayLike<number>[], state: LstmState): number {
    if (segments.length !== state.streams || segments.length < 1)
      throw new RangeError(`simdopt-lab: ${segments.length} segment(s) for a state of ${state.streams} stream(s)`);
    const T = segments[0].length - 1;
    if (T < 1 || segments.some((s) => s.length !== T + 1))
      throw new RangeError("simdopt-lab: segments must all hold the same number (at least 2) of characters");
    for (const segment of segments)
      for (let t = 0; t <= T; t++)
        if (!(Number.isInteger(segment[t]) && segment[t] >= 0 && segment[t] < this.vocabulary))
          throw new RangeError(
            `simdopt-lab: character code ${segment[t]} is outside the alphabet of ${this.vocabulary}`,
          );
    return T;
  }

  /**
   * Runs stream `s` of `state` over `segment`'s first T characters, keeping every step's activations
   * and probabilities (for the backward pass); `state` then holds the state after them. Returns the
   * summed cross-entropy of predicting characters 1..T.
   */
  #forward(segment: ArrayLike<number>, T: number, state: LstmState, s: number): number {
    const H = this.hiddenSize;
    const V = this.vocabulary;
    const G = 4 * H;
    if (this.#gates.length < T * G) {
      this.#gates = new Float64Array(T * G);
      this.#cells = new Float64Array(T * H);
      this.#cellTanh = new Float64Array(T * H);
      this.#hiddens = new Float64Array(T * H);
      this.#probabilities = new Float64Array(T * V);
    }
    const wx = this.wx.data;
    const wh = this.wh.data;
    const b = this.b.data;
    const wy = this.wy.data;
    const by = this.by.data;
    let hPrev = state.h.subarray(s * H, (s + 1) * H);
    let cPrev = state.c.subarray(s * H, (s + 1) * H);
    let loss = 0;
    for (let t = 0; t < T; t++) {
      const gates = this.#gates.subarray(t * G, (t + 1) * G);
      const xRow = segment[t] * G;
      for (let k = 0; k < G; k++) {
        let z = wx[xRow + k] + b[k];
        const row = k * H;
        for (let j = 0; j < H; j++) z += wh[row + j] * hPrev[j];
        gates[k] = k >= 2 * H && k < 3 * H ? Math.tanh(z) : sigmoid(z);
      }
      const c = this.#cells.subarray(t * H, (t + 1) * H);
      const tc = this.#cellTanh.subarray(t * H, (t + 1) * H);
      const h = this.#hiddens.subarray(t * H, (t + 1) * H);
      for (let j = 0; j < H; j++) {
        c[j] = gates[H + j] * cPrev[j] + gates[j] * gates[2 * H + j];
        tc[j] = Math.tanh(c[j]);
        h[j] = gates[3 * H + j] * tc[j];
      }
      const p = this.#probabilities.subarray(t * V, (t + 1) * V);
      let max = -Infinity;
      for (let v = 0; v < V; v++) {
        let y = by[v];
        const row = v * H;
        for (let j = 0; j < H; j++) y += wy[row + j] * h[j];
        p[v] = y;
        if (y > max) max = y;
      }
      let total = 0;
      for (let v = 0; v < V; v++) {
        p[v] = Math.exp(p[v] - max);
        total += p[v];
      }
      for (let v = 0; v < V; v++) p[v] /= total;
      loss -= Math.log(Math.max(p[segment[t + 1]], 1e-300));
      hPrev = h;
      cPrev = c;
    }
    state.h.set(hPrev, s * H);
    state.c.set(cPrev, s * H);
    return loss;
  }
}
