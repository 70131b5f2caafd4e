// Keras's base options (clipnorm, globalClipnorm, clipvalue, weightDecay) on Ftrl and the keras:*
// presets, against Keras 3.15.1's own outputs: fixtures/keras-base-options.json, in the golden
// format (two tensors, 12 steps, golden-style gradients), made by running keras.optimizers.<Name>
// with each case's options and apply_gradients once per step (the file's `source` says how).
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { createOptimizer, loadRuntime, runOptimizerCase, type OptimizerCase, type Runtime } from "../dist/index.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/keras-base-options.json", import.meta.url), "utf8")) as {
  source: string;
  cases: (OptimizerCase & { name: string })[];
};

test("the fixture covers every base option, on Ftrl and on the presets", () => {
  const options = fixture.cases.flatMap((c) => Object.keys(c.options as object));
  for (const name of ["clipnorm", "global_clipnorm", "clipvalue", "weight_decay"]) expect(options).toContain(name);
  expect(fixture.cases.filter((c) => c.optimizer === "ftrl").length).toBeGreaterThanOrEqual(8);
});

describe.each(["simd", "scalar", "reference"] as const)("Keras 3.15.1's outputs on %s", (binary) => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await loadRuntime({ binary });
  });
  test.each(fixture.cases)("$name", (c) => {
    const result = runOptimizerCase(runtime, c, fixture.source);
    expect(result.error).toBeUndefined();
    expect(result.maxError).toBeLessThanOrEqual(result.tolerance);
  });
});

// keras.optimizers.Adam(learning_rate=0.01, beta_2=0.999696) on a float32 variable, three
// apply_gradients steps, Keras 3.15.1 on JAX (KERAS_BACKEND=jax):
//   v = keras.Variable([0.5, -1.25, 3.0, 0.007, -2.0], dtype="float32"); opt.apply_gradients([(g, v)])
// Keras casts the betas to float32, raises them to the power t and computes its step size in float32:
// with β2 this close to 1, 1 − β2ᵗ in double moves the result by 7e-7 in three steps.
test("keras:adam in float32 with β2 near 1 takes Keras's float32 step size", async () => {
  const grads = [
    [0.3, -0.2, 1.5, 0.0, -0.01],
    [-0.1, 0.4, 2.0, 1e-3, 0.02],
    [0.25, -0.5, -1.0, 0.5, 0.0],
  ];
  const keras = [
    [0.490000456571579, -1.240000605583191, 2.9900002479553223, 0.007000000216066837, -1.9900059700012207],
    [0.48599910736083984, -1.2436617612838745, 2.980026960372925, -0.0003998568281531334, -1.9936662912368774],
    [0.47960972785949707, -1.240784764289856, 2.9752440452575684, -0.006801386829465628, -1.996495246887207],
  ];
  for (const binary of ["simd", "scalar", "reference"] as const) {
    const runtime = await loadRuntime({ binary });
    const p = runtime.parameter([0.5, -1.25, 3.0, 0.007, -2.0]);
    const opt = createOptimizer("keras:adam", [p], { learningRate: 0.01, beta2: 0.999696 });
    grads.forEach((g, t) => {
      p.setGrad(g);
      opt.step();
      p.data.forEach((value, i) => expect(Math.abs(value - keras[t][i])).toBeLessThanOrEqual(1e-8));
    });
    opt.dispose();
    p.dispose();
  }
});
