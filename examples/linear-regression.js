// Linear regression with simdopt: fit y = X·w + b to noisy data from known weights, with Adam,
// writing the gradient of the mean squared error straight into Wasm memory.
//
//     node examples/linear-regression.js [--samples 2000] [--features 16] [--steps 400]
//
// Prints the loss as it falls, then the largest difference between the fitted and the true weights.
import { parseArgs } from "node:util";
import { Adam, loadRuntime } from "simdopt";

const { values: flags } = parseArgs({
  options: {
    samples: { type: "string", default: "2000" },
    features: { type: "string", default: "16" },
    steps: { type: "string", default: "400" },
  },
});
const samples = Number(flags.samples);
const features = Number(flags.features);
const steps = Number(flags.steps);

/** A small seeded generator (mulberry32): the same data on every run. Uniform in [0, 1). */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The data: rows of X uniform in [-1, 1), y from the true weights plus a little noise.
const next = random(42);
const trueW = Array.from({ length: features }, () => 4 * next() - 2);
const trueB = 0.5;
const x = Float64Array.from({ length: samples * features }, () => 2 * next() - 1);
const y = Float64Array.from({ length: samples }, (_, i) => {
  let sum = trueB;
  for (let j = 0; j < features; j++) sum += x[i * features + j] * trueW[j];
  return sum + 0.01 * (next() - 0.5);
});

// The model's parameters live in the runtime's Wasm memory: w starts at zero, b too.
const rt = await loadRuntime();
const w = rt.parameter(features, { name: "w" });
const b = rt.parameter(1, { name: "b" });
const optimizer = new Adam([w, b], { lr: 0.05 });

const residual = new Float64Array(samples);
for (let step = 1; step <= steps; step++) {
  // Forward: residual = X·w + b − y, loss = mean(residual²).
  const wv = w.data;
  let loss = 0;
  for (let i = 0; i < samples; i++) {
    let prediction = b.data[0];
    for (let j = 0; j < features; j++) prediction += x[i * features + j] * wv[j];
    residual[i] = prediction - y[i];
    loss += residual[i] ** 2;
  }
  loss /= samples;

  // Backward: ∂loss/∂w = 2/N · Xᵀ·residual, ∂loss/∂b = 2/N · Σ residual, written in place.
  const gw = w.grad;
  gw.fill(0);
  let gb = 0;
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < features; j++) gw[j] += (2 / samples) * residual[i] * x[i * features + j];
    gb += (2 / samples) * residual[i];
  }
  b.grad[0] = gb;

  optimizer.step();
  if (step === 1 || step % 100 === 0 || step === steps) console.log(`step ${step}: loss ${loss.toExponential(3)}`);
}

const largestError = Math.max(...trueW.map((value, j) => Math.abs(w.data[j] - value)), Math.abs(b.data[0] - trueB));
console.log(`largest weight error: ${largestError.toExponential(3)}`);
