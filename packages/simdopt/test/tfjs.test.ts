// The TF.js family against @tensorflow/tfjs-core's own tf.train optimizers (cpu backend), on the
// same float32 inputs: every parameter within 1e-5 (relative, as the golden files measure) after 20 steps.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, expect, test } from "vitest";
import { createOptimizer, loadRuntime, type OptimizerName, type Runtime } from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";
import { gradientsFor, randomArray } from "./helpers.js";

const STEPS = 20;

/** tf.train's constructor for each preset, from the preset's options (TF.js's own names). */
const TF_OPTIMIZERS: Record<string, (o: Record<string, unknown>) => tf.Optimizer> = {
  "tfjs:sgd": (o) => tf.train.sgd((o.learningRate as number) ?? 0.01),
  "tfjs:momentum": (o) =>
    tf.train.momentum(
      (o.learningRate as number) ?? 0.01,
      (o.momentum as number) ?? 0.9,
      (o.useNesterov as boolean) ?? false,
    ),
  "tfjs:adam": (o) =>
    tf.train.adam(o.learningRate as number, o.beta1 as number, o.beta2 as number, o.epsilon as number),
  "tfjs:rmsprop": (o) =>
    tf.train.rmsprop(
      o.learningRate as number,
      o.decay as number,
      o.momentum as number,
      o.epsilon as number,
      o.centered as boolean,
    ),
  "tfjs:adagrad": (o) =>
    tf.train.adagrad((o.learningRate as number) ?? 0.01, o.initialAccumulatorValue as number | undefined),
  "tfjs:adamax": (o) =>
    tf.train.adamax(
      o.learningRate as number,
      o.beta1 as number,
      o.beta2 as number,
      o.epsilon as number,
      o.decay as number,
    ),
  "tfjs:adadelta": (o) => tf.train.adadelta(o.learningRate as number, o.rho as number, o.epsilon as number),
};

let runtime: Runtime;
beforeAll(async () => {
  await tf.setBackend("cpu");
  runtime = await loadRuntime({ binary: "simd" });
});

const cases = Object.keys(TF_OPTIMIZERS).flatMap((name) =>
  OPTION_FAMILIES[name as OptimizerName].map((options) => ({
    name,
    options: options as Record<string, unknown>,
    label: JSON.stringify(options),
  })),
);

test("every TF.js preset is checked", () => {
  expect(Object.keys(TF_OPTIMIZERS).sort()).toEqual(
    Object.keys(OPTION_FAMILIES)
      .filter((name) => name.startsWith("tfjs:"))
      .sort(),
  );
});

test.each(cases)("$name $label matches tf.train within 1e-5", ({ name, options }) => {
  const lengths = [37, 5];
  const inits = lengths.map((length, k) => randomArray(length, 40 + k));
  const params = inits.map((init) => runtime.parameter(init));
  const optimizer = createOptimizer(name as OptimizerName, params, options);
  const variables = inits.map((init, k) =>
    tf.variable(tf.tensor1d(init, "float32"), true, `v${k}_${name}_${cases.length}_${Math.random()}`),
  );
  const reference = TF_OPTIMIZERS[name](options);
  let worst = 0;
  let compared = 0;
  for (let t = 0; t < STEPS; t++) {
    const grads = lengths.map((length, k) => gradientsFor(length, t, 50 + k).map((g) => g * (k === 1 ? 1e-3 : 1)));
    params.forEach((p, k) => p.setGrad(grads[k]));
    optimizer.step();
    reference.applyGradients(Object.fromEntries(variables.map((v, k) => [v.name, tf.tensor1d(grads[k], "float32")])));
    variables.forEach((v, k) => {
      const expected = v.dataSync();
      params[k].data.forEach((x, i) => {
        if (Number.isNaN(x) && Number.isNaN(expected[i])) return; // tfjs-core's centered RMSprop quirk, reproduced
        compared++;
        worst = Math.max(
          worst,
          Number.isNaN(x - expected[i]) ? Infinity : Math.abs(x - expected[i]) / Math.max(1, Math.abs(expected[i])),
        );
      });
    });
  }
  expect(worst).toBeLessThanOrEqual(1e-5);
  expect(compared).toBeGreaterThan((STEPS * (37 + 5)) / 2); // mostly numbers, not NaN
  optimizer.dispose();
  reference.dispose();
  variables.forEach((v) => v.dispose());
});
