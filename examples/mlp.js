// A small multilayer perceptron trained with simdopt, backpropagation written by hand: two inputs,
// one tanh hidden layer, a sigmoid output, on the "two moons" classification problem. AdamW with two
// parameter groups, as in torch: weight decay on the weights, none on the biases.
//
//     node examples/mlp.js [--points 400] [--hidden 32] [--steps 600]
//
// Prints the loss as it falls, then the accuracy on the training points.
import { parseArgs } from "node:util";
import { AdamW, loadRuntime } from "simdopt";

const { values: flags } = parseArgs({
  options: {
    points: { type: "string", default: "400" },
    hidden: { type: "string", default: "32" },
    steps: { type: "string", default: "600" },
  },
});
const points = Number(flags.points);
const hidden = Number(flags.hidden);
const steps = Number(flags.steps);

/** A small seeded generator (mulberry32): the same data and weights on every run. Uniform in [0, 1). */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(7);

// Two interleaved half circles with noise, label 0 and 1, centred near the origin.
const inputs = new Float64Array(2 * points);
const labels = new Float64Array(points);
for (let n = 0; n < points; n++) {
  const label = n % 2;
  const t = Math.PI * next();
  const [px, py] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
  inputs[2 * n] = px - 0.5 + 0.1 * (next() - 0.5);
  inputs[2 * n + 1] = py - 0.25 + 0.1 * (next() - 0.5);
  labels[n] = label;
}

// Parameters in Wasm memory: w1 is hidden × 2 (row-major), w2 is 1 × hidden.
const rt = await loadRuntime();
const uniform = (length, scale) => Array.from({ length }, () => scale * (2 * next() - 1));
const w1 = rt.parameter(uniform(2 * hidden, 1), { name: "w1" });
const b1 = rt.parameter(hidden, { name: "b1" });
const w2 = rt.parameter(uniform(hidden, 1 / Math.sqrt(hidden)), { name: "w2" });
const b2 = rt.parameter(1, { name: "b2" });
const optimizer = new AdamW(
  [
    { params: [w1, w2] }, // the optimizer's weight decay
    { params: [b1, b2], weightDecay: 0 }, // none on the biases
  ],
  { lr: 0.02, weightDecay: 1e-2 },
);

const h = new Float64Array(hidden);
/** Forward pass for point n: fills `h` with the hidden activations, returns the output's logit. */
function forward(n) {
  const W1 = w1.data,
    B1 = b1.data,
    W2 = w2.data;
  let z = b2.data[0];
  for (let k = 0; k < hidden; k++) {
    h[k] = Math.tanh(W1[2 * k] * inputs[2 * n] + W1[2 * k + 1] * inputs[2 * n + 1] + B1[k]);
    z += W2[k] * h[k];
  }
  return z;
}

for (let step = 1; step <= steps; step++) {
  optimizer.zeroGrad();
  const W2 = w2.data,
    G1 = w1.grad,
    GB1 = b1.grad,
    G2 = w2.grad;
  let loss = 0;
  for (let n = 0; n < points; n++) {
    const z = forward(n);
    // Binary cross-entropy of sigmoid(z), computed stably: softplus(z) − y·z.
    loss += (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - labels[n] * z) / points;
    // Backward: ∂loss/∂z = (sigmoid(z) − y) / N, then through w2, tanh and w1 (gradients accumulate).
    const dz = (1 / (1 + Math.exp(-z)) - labels[n]) / points;
    b2.grad[0] += dz;
    for (let k = 0; k < hidden; k++) {
      G2[k] += dz * h[k];
      const da = dz * W2[k] * (1 - h[k] * h[k]);
      G1[2 * k] += da * inputs[2 * n];
      G1[2 * k + 1] += da * inputs[2 * n + 1];
      GB1[k] += da;
    }
  }
  optimizer.step();
  if (step === 1 || step % 100 === 0 || step === steps) console.log(`step ${step}: loss ${loss.toFixed(4)}`);
}

let correct = 0;
for (let n = 0; n < points; n++) correct += Number(forward(n) > 0 === (labels[n] === 1));
console.log(`training accuracy: ${((100 * correct) / points).toFixed(1)}%`);
