// How far low-bit optimizer state takes Adam from float32 Adam: the same noisy least-squares problem
// (a linear model of `--size` weights, in tensors of 64K, fitted to targets of a random teacher)
// trained from the same start with `state: "float32"`, `"bfloat16"`, `"8bit"`, `"4bit"` and `"fp8"`, printing each
// storage's final loss and its weights' distance from float32's, relative to how far float32 moved.
//
//     node examples/low-bit-state.js [--size 262144] [--steps 300]
import { parseArgs } from "node:util";
import { Adam, loadRuntime } from "simdopt";

const { values: flags } = parseArgs({
  options: { size: { type: "string", default: "262144" }, steps: { type: "string", default: "300" } },
});
const size = Number(flags.size);
const steps = Number(flags.steps);
const TENSOR = 65536;

/** mulberry32: the same numbers on every run, uniform in [0, 1). */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (next) => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());

// The problem: minimise ½·Σ s_i (w_i − t_i)², with per-weight curvatures s_i spread over 10^[−2, 1]
// and gradient noise, so moments of very different sizes share a block as in a real network.
const start = Array.from({ length: size }, (_, i) => 0.1 * Math.sin(i));
const next = random(1);
const teacher = Float32Array.from({ length: size }, () => normal(next));
const curvature = Float32Array.from({ length: size }, () => 10 ** (3 * next() - 2));

const rt = await loadRuntime({ initialMemory: 64 << 20 });
function train(state) {
  const noise = random(2);
  const params = [];
  for (let at = 0; at < size; at += TENSOR) params.push(rt.parameter(start.slice(at, at + TENSOR)));
  const optimizer = new Adam(params, { lr: 1e-2, state });
  let loss = 0;
  for (let step = 0; step < steps; step++) {
    loss = 0;
    params.forEach((param, k) => {
      const w = param.data;
      const g = param.grad;
      for (let i = 0; i < w.length; i++) {
        const j = k * TENSOR + i;
        const d = w[i] - teacher[j];
        loss += 0.5 * curvature[j] * d * d;
        g[i] = curvature[j] * d + 0.1 * normal(noise);
      }
    });
    optimizer.step();
  }
  const weights = Float32Array.from(params.flatMap((param) => Array.from(param.data)));
  optimizer.dispose();
  for (const param of params) param.dispose();
  return { loss: loss / size, weights };
}

/** The Euclidean distance between two arrays. */
function distance(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

const reference = train("float32");
const moved = distance(reference.weights, Float32Array.from(start));
console.log(`${size} weights, ${steps} Adam steps (lr 1e-2), ${rt.build} kernels`);
for (const state of ["float32", "bfloat16", "8bit", "4bit", "fp8"]) {
  const { loss, weights } = state === "float32" ? reference : train(state);
  const relative = distance(weights, reference.weights) / moved;
  console.log(
    `state ${state.padEnd(8)} final loss per weight ${loss.toExponential(4)}, distance from float32: ${relative.toExponential(2)} of the path`,
  );
}
