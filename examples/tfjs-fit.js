// TF.js's model.fit with simdopt's optimizer (simdopt/tfjs) against TF.js's own tf.train.adam: the
// same model, initial weights and data; `tfjs:adam` computes what tf.train.adam computes. Times
// each run's epochs, alternating the two so that both see the same machine.
//
//     node examples/tfjs-fit.js [--model mlp|cnn] [--backend cpu|wasm] [--samples 2048] [--epochs 4]
//
// mlp: 784 -> 256 (ReLU) -> 256 (ReLU) -> 10, about 270K weights; cnn: 28x28 -> conv 3x3x16 ->
// max-pool -> conv 3x3x32 -> max-pool -> dense 10, about 13K weights. Batches of 32. The wasm
// backend needs @tensorflow/tfjs-backend-wasm installed. Prints the median epoch time of each run,
// the ratio, and both runs' losses.
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadRuntime } from "simdopt";
import { SimdoptOptimizer } from "simdopt/tfjs";

const { values: flags } = parseArgs({
  options: {
    model: { type: "string", default: "mlp" },
    backend: { type: "string", default: "cpu" },
    samples: { type: "string", default: "2048" },
    epochs: { type: "string", default: "4" },
  },
});
const samples = Number(flags.samples);
const epochs = Number(flags.epochs);
const learningRate = 1e-3;

if (flags.model === "cnn" && flags.backend === "wasm") {
  throw new Error("TF.js 4.22's wasm backend cannot train a CNN: it has no Conv2DBackpropFilter kernel");
}
tf.env().set("PROD", true); // silences the notice that suggests the native tfjs-node backend
if (flags.backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
else if (flags.backend === "cpu") await import("@tensorflow/tfjs-backend-cpu");
else throw new Error(`--backend must be cpu or wasm, got ${flags.backend}`);
await tf.setBackend(flags.backend);

function layers() {
  if (flags.model === "mlp") {
    return [
      tfl.layers.dense({ units: 256, inputShape: [784], activation: "relu", kernelInitializer: "heNormal" }),
      tfl.layers.dense({ units: 256, activation: "relu", kernelInitializer: "heNormal" }),
      tfl.layers.dense({ units: 10, activation: "softmax" }),
    ];
  }
  if (flags.model === "cnn") {
    return [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10, activation: "softmax" }),
    ];
  }
  throw new Error(`--model must be mlp or cnn, got ${flags.model}`);
}

// Data: random images labelled by a random linear "teacher", the same for both runs.
const inputShape = flags.model === "mlp" ? [samples, 784] : [samples, 28, 28, 1];
const x = tf.randomUniform(inputShape, 0, 1, "float32", 1);
const y = tf.tidy(() => {
  const teacher = tf.randomNormal([784, 10], 0, 1, "float32", 2);
  return tf.oneHot(tf.argMax(tf.matMul(tf.reshape(x, [samples, 784]), teacher), 1), 10);
});

// One set of initial weights (drawn by the layers' initialisers), given to both models.
const first = tfl.sequential({ layers: layers() });
const initial = first.getWeights().map((w) => w.clone());
first.dispose();

const rt = await loadRuntime();
const runs = [
  { label: "tf.train.adam", optimizer: tf.train.adam(learningRate) },
  { label: "SimdoptOptimizer tfjs:adam", optimizer: new SimdoptOptimizer(rt, "tfjs:adam", { learningRate }) },
].map((run) => {
  const model = tfl.sequential({ layers: layers() });
  model.setWeights(initial);
  model.compile({ optimizer: run.optimizer, loss: "categoricalCrossentropy" });
  return { ...run, model, epochMs: [], losses: [] };
});

// One untimed epoch each (TF.js compiles its training function; simdopt allocates), then timed epochs, alternating.
for (let epoch = 0; epoch <= epochs; epoch++) {
  for (const run of epoch % 2 === 0 ? runs : [...runs].reverse()) {
    const start = performance.now();
    const history = await run.model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    if (epoch > 0) run.epochMs.push(performance.now() - start);
    run.losses.push(history.history.loss[0]);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const count = runs[0].model.countParams();
console.log(
  `${flags.model}: ${count} weights, ${samples} samples in batches of 32, TF.js ${tf.version_core} ${flags.backend} backend, ` +
    `median of ${epochs} epochs`,
);
for (const run of runs) {
  console.log(
    `${run.label.padEnd(27)}: ${median(run.epochMs).toFixed(0)} ms per epoch, loss ${run.losses.map((l) => l.toFixed(5)).join(" ")}`,
  );
}
console.log(
  `epoch time of tf.train.adam over SimdoptOptimizer: ${(median(runs[0].epochMs) / median(runs[1].epochMs)).toFixed(2)}x`,
);
