// simdopt/tfjs: SimdoptOptimizer in TF.js's own training loop (tfjs-layers' model.fit, cpu backend)
// against tf.train.adam, its weights saved and loaded with a model, and its refusals.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, expect, test } from "vitest";
import { Adam, loadRuntime, type Runtime } from "../dist/index.js";
import { SimdoptOptimizer, registerSimdoptOptimizer } from "../dist/tfjs/index.js";
import { memoryUse, randomArray, setQuarantine } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  tf.env().set("PROD", true); // silences the notice that suggests tfjs-node
  await tf.setBackend("cpu");
  runtime = await loadRuntime({ binary: "simd" });
});

// A small classifier: 6 inputs, a ReLU layer of 12, a softmax over 3 classes; fixed initial weights.
const INITIAL = [[6, 12], [12], [12, 3], [3]].map((shape, k) =>
  randomArray(
    shape.reduce((a, b) => a * b),
    70 + k,
  ).map((x) => x * 0.5),
);
function model(optimizer: tf.Optimizer): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 12, inputShape: [6], activation: "relu" }),
      tfl.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  m.setWeights(INITIAL.map((values, k) => tf.tensor(values, m.getWeights()[k].shape)));
  m.compile({ optimizer, loss: "categoricalCrossentropy" });
  return m;
}
const x = tf.tensor2d(randomArray(64 * 6, 80), [64, 6]);
const y = tf.oneHot(
  tf.tensor1d(
    randomArray(64, 81).map((v) => Math.floor(Math.abs(v) * 3) % 3),
    "int32",
  ),
  3,
);
const train = (m: tfl.LayersModel, epochs: number) =>
  m.fit(x, y, { epochs, batchSize: 16, shuffle: false, verbose: 0 });
const weightsOf = (m: tfl.LayersModel) => m.getWeights().map((w) => w.dataSync() as Float32Array);

/** The largest difference relative to max(1, |expected|), as the golden files measure. */
function worstRelative(actual: Float32Array[], expected: Float32Array[]): number {
  let worst = 0;
  actual.forEach((values, k) =>
    values.forEach((a, i) => {
      worst = Math.max(worst, Math.abs(a - expected[k][i]) / Math.max(1, Math.abs(expected[k][i])));
    }),
  );
  return worst;
}

test("model.fit with 'tfjs:adam' matches tf.train.adam within 1e-5", async () => {
  const reference = model(tf.train.adam(1e-2));
  const optimizer = new SimdoptOptimizer(runtime, "tfjs:adam", { learningRate: 1e-2 });
  const simd = model(optimizer);
  const [expected, actual] = [await train(reference, 5), await train(simd, 5)];
  expect(worstRelative(weightsOf(simd), weightsOf(reference))).toBeLessThanOrEqual(1e-5);
  // and it trained: 5 epochs of 4 batches moved every weight and lowered the loss, as TF.js's did
  expect(optimizer.iterations).toBe(20);
  weightsOf(simd).forEach((w, k) => expect(w).not.toEqual(Float32Array.from(INITIAL[k])));
  expect(actual.history.loss.at(-1)).toBeLessThan(actual.history.loss[0] as number);
  actual.history.loss.forEach((loss, e) => expect(loss).toBeCloseTo(expected.history.loss[e] as number, 5));
  optimizer.dispose();
});

test("minimize and applyGradients with torch's 'adam' step as simdopt's Adam steps, from values assigned between steps", () => {
  const init = randomArray(10, 90);
  const v = tf.variable(tf.tensor1d(init), true, "minimize_v");
  const target = tf.tensor1d(randomArray(10, 91));
  const optimizer = new SimdoptOptimizer(runtime, "adam", { lr: 0.05, weightDecay: 0.01 });
  const p = runtime.parameter(init);
  const adam = new Adam([p], { lr: 0.05, weightDecay: 0.01 });
  for (let t = 0; t < 6; t++) {
    if (t === 3) {
      // assigned from outside between steps: the next step starts from the new values
      v.assign(tf.tensor1d(randomArray(10, 92)));
      p.set(v.dataSync());
    }
    const f = () => tf.sum(tf.square(tf.sub(v, target))) as tf.Scalar;
    const { grads } = tf.variableGrads(f, [v]);
    p.setGrad(grads[v.name].dataSync());
    adam.step();
    if (t % 2 === 0) optimizer.minimize(f, false, [v]);
    else optimizer.applyGradients(grads); // the map form
    tf.dispose(grads);
    expect(v.dataSync()).toEqual(p.data);
  }
  expect(optimizer.getConfig()).toEqual({ optimizer: "adam", options: { lr: 0.05, weightDecay: 0.01 } });
  optimizer.dispose();
  adam.dispose();
  p.dispose();
  v.dispose();
});

test("a model saved with its optimizer loads and continues bit for bit", async () => {
  const optimizer = new SimdoptOptimizer(runtime, "tfjs:adam", { learningRate: 1e-2, epsilon: 1e-6 });
  const original = model(optimizer);
  await train(original, 2);
  let saved: tf.io.ModelArtifacts | undefined;
  await original.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
    { includeOptimizer: true },
  );
  registerSimdoptOptimizer(runtime);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
  const restored = loaded.optimizer as SimdoptOptimizer;
  expect(restored).toBeInstanceOf(SimdoptOptimizer);
  expect(restored.getConfig()).toEqual(optimizer.getConfig());
  expect(restored.iterations).toBe(8);
  // the same weights under the loaded model's new variable names
  expect(loaded.trainableWeights.map((w) => w.name)).not.toEqual(original.trainableWeights.map((w) => w.name));
  expect(weightsOf(loaded)).toEqual(weightsOf(original));

  await train(original, 2);
  await train(loaded, 2);
  expect(weightsOf(loaded)).toEqual(weightsOf(original));
  expect(restored.optimizer!.stateDict().state).toEqual(optimizer.optimizer!.stateDict().state);
  expect(restored.iterations).toBe(16);
  optimizer.dispose();
  restored.dispose();
});

test("getWeights and setWeights carry the state of an optimizer with float64 scalar state (NAdam)", async () => {
  const make = () => tf.variable(tf.tensor2d(randomArray(6, 95), [2, 3]), true);
  const [a, b] = [make(), make()];
  const grads = (t: number) => tf.tensor2d(randomArray(6, 100 + t), [2, 3]);
  const first = new SimdoptOptimizer(runtime, "nadam", { lr: 0.01 });
  for (let t = 0; t < 3; t++) first.applyGradients([{ name: a.name, tensor: grads(t) }]);
  const second = new SimdoptOptimizer(runtime, "nadam", { lr: 0.01 });
  b.assign(a);
  await second.setWeights(await first.getWeights());
  expect(second.iterations).toBe(3);
  for (let t = 3; t < 6; t++) {
    first.applyGradients([{ name: a.name, tensor: grads(t) }]);
    second.applyGradients([{ name: b.name, tensor: grads(t) }]);
  }
  expect(b.dataSync()).toEqual(a.dataSync());
  expect(second.optimizer!.stateDict().state).toEqual(first.optimizer!.stateDict().state);
  first.dispose();
  second.dispose();
});

test("bad names, options and weights are refused, naming them, and change nothing", async () => {
  const runtime = await loadRuntime({ binary: "simd" });
  setQuarantine(runtime, 0); // disposed parameters give their memory back at once
  const optimizer = new SimdoptOptimizer(runtime, "tfjs:sgd", { learningRate: 0.1 });
  const before = memoryUse(runtime).liveBytes; // with the empty parameter options are checked on
  expect(() => new SimdoptOptimizer(runtime, "adamm" as "adam")).toThrow(/unknown optimizer "adamm"/);
  expect(() => new SimdoptOptimizer(runtime, "tfjs:adam", { learningRate: -1 })).toThrow(/learningRate/);
  expect(() => new SimdoptOptimizer(runtime, "tfjs:adam", { beta1: 1.5 })).toThrow(/beta1/);
  expect(memoryUse(runtime).liveBytes).toBe(before);

  const v = tf.variable(tf.tensor1d([1, 2, 3]), true, "refusals_v");
  const w = tf.variable(tf.tensor1d([4, 5]), true, "refusals_w");
  optimizer.applyGradients({ [v.name]: tf.ones([3]) });
  const after = Float32Array.from(v.dataSync());
  expect(() => optimizer.applyGradients({ [v.name]: tf.ones([4]) })).toThrow(
    /gradient of variable 'refusals_v' must be float32 of 3 elements, got float32 of 4/,
  );
  const unbound = new SimdoptOptimizer(runtime, "tfjs:sgd");
  expect(() => unbound.applyGradients([{ name: "__proto__", tensor: tf.ones([3]) }])).toThrow(
    /no variable named '__proto__'/,
  );
  unbound.dispose();
  expect(() => optimizer.applyGradients({ [w.name]: tf.ones([2]) })).toThrow(
    /same order \(refusals_v\), got refusals_w/,
  );
  expect(() => optimizer.applyGradients({ nowhere: tf.ones([2]) })).toThrow(/refusals_v\), got nowhere/);
  await expect(
    optimizer.setWeights([
      { name: "iter", tensor: tf.scalar(1, "int32") },
      { name: "x", tensor: tf.ones([3]) },
    ]),
  ).rejects.toThrow(/no string tensor 'simdopt\/state'/);
  const good = await optimizer.getWeights();
  // a state of another optimizer kind: refused by loadStateDict, nothing changed
  const other = new SimdoptOptimizer(runtime, "tfjs:momentum", { learningRate: 0.1 });
  const u = tf.variable(tf.tensor1d([1, 2, 3]), true, "refusals_u");
  other.applyGradients({ [u.name]: tf.ones([3]) });
  await expect(optimizer.setWeights(await other.getWeights())).rejects.toThrow(/cannot load state/);
  expect(optimizer.iterations).toBe(1);
  expect(await optimizer.getWeights()).toHaveLength(good.length);
  expect(v.dataSync()).toEqual(after);

  optimizer.dispose();
  other.dispose();
  expect(() => optimizer.applyGradients({ [v.name]: tf.ones([3]) })).toThrow(/after dispose/);
  expect(memoryUse(runtime).liveBytes).toBe(before); // dispose() gave back the parameters and state
  tf.dispose([v, w, u]);
});
