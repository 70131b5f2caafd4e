// Keras's base options (clipnorm, globalClipnorm, clipvalue, weightDecay) on Ftrl and the keras:*
// presets, against Keras 3.15.1's own outputs: fixtures/keras-base-options.json, in the golden
// format (two tensors, 12 steps, golden-style gradients), made by running keras.optimizers.<Name>
// with each case's options and apply_gradients once per step (the file's `source` says how).
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { loadRuntime, runOptimizerCase, type OptimizerCase, type Runtime } from "../dist/index.js";

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
