// Every example runs as a script, at sizes small enough for CI, and learns what it should.
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runProcess } from "../../scripts/run-process.mjs";

/** Runs `node examples/<script> [args]`; returns its output, failing with its stderr if it fails. */
async function runExample(script, ...args) {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const run = await runProcess(process.execPath, [path, ...args]);
  expect(run.status, `${script} failed:\n${run.stderr}`).toBe(0);
  return run.stdout;
}

/** The number after `label` in `text`. */
function numberAfter(text, label) {
  const match = new RegExp(`${label} (-?[0-9.]+(?:e[-+]?[0-9]+)?)`).exec(text);
  expect(match, `no '${label} <number>' in:\n${text}`).not.toBeNull();
  return Number(match[1]);
}

test("linear regression recovers the true weights", async () => {
  const output = await runExample("linear-regression.js", "--samples", "300", "--features", "4", "--steps", "300");
  expect(numberAfter(output, "largest weight error:")).toBeLessThan(1e-2);
  expect(numberAfter(output, "step 300: loss")).toBeLessThan(numberAfter(output, "step 1: loss") / 100);
});

test("the MLP separates the two moons", async () => {
  const output = await runExample("mlp.js", "--points", "120", "--hidden", "8", "--steps", "200");
  expect(numberAfter(output, "training accuracy:")).toBeGreaterThanOrEqual(85);
  expect(numberAfter(output, "step 200: loss")).toBeLessThan(numberAfter(output, "step 1: loss"));
});

test("simdopt trains TF.js variables as tf.train.adam does, and reports the speed-up", async () => {
  const output = await runExample("tfjs.js", "--inputs", "16", "--hidden", "32", "--batch", "16", "--steps", "8");
  const losses = (label) => {
    const match = new RegExp(`${label}.*loss ([0-9.]+) -> ([0-9.]+)`).exec(output);
    expect(match, `no loss line for ${label} in:\n${output}`).not.toBeNull();
    return [Number(match[1]), Number(match[2])];
  };
  const tfjs = losses("TF.js tf.train.adam");
  const simdopt = losses("simdopt Adam");
  expect(simdopt[0]).toBe(tfjs[0]); // the same weights and batch before the first update
  expect(Math.abs(simdopt[1] - tfjs[1])).toBeLessThan(1e-3); // Adam's formulas agree up to epsilon's rounding
  const speedUp = numberAfter(output, "speed-up of the optimizer update:");
  expect(Number.isFinite(speedUp) && speedUp > 0).toBe(true);
});

test("model.fit with SimdoptOptimizer trains as with tf.train.adam, and reports the epoch times", async () => {
  const output = await runExample("tfjs-fit.js", "--samples", "64", "--epochs", "1");
  const losses = (label) => {
    const match = new RegExp(`${label}.*ms per epoch, loss ([0-9.]+) ([0-9.]+)`).exec(output);
    expect(match, `no loss line for ${label} in:\n${output}`).not.toBeNull();
    return [Number(match[1]), Number(match[2])];
  };
  const tfjs = losses("tf.train.adam");
  const simdopt = losses("SimdoptOptimizer tfjs:adam");
  simdopt.forEach((loss, epoch) => expect(Math.abs(loss - tfjs[epoch])).toBeLessThan(1e-3));
  expect(simdopt[1]).toBeLessThan(simdopt[0]);
  const ratio = numberAfter(output, "epoch time of tf.train.adam over SimdoptOptimizer:");
  expect(Number.isFinite(ratio) && ratio > 0).toBe(true);
}, 120_000);

test("Adam with bfloat16, 8-bit and FP8 state ends near float32 Adam, with 4-bit state further", async () => {
  const output = await runExample("low-bit-state.js", "--size", "8192", "--steps", "60");
  const line = (state) => {
    const match = new RegExp(
      `state ${state} +final loss per weight ([0-9.e+-]+), distance from float32: ([0-9.e+-]+)`,
    ).exec(output);
    expect(match, `no line for ${state} in:\n${output}`).not.toBeNull();
    return { loss: Number(match[1]), distance: Number(match[2]) };
  };
  const float32 = line("float32");
  expect(float32.distance).toBe(0);
  for (const state of ["bfloat16", "8bit", "fp8"]) {
    const { loss, distance } = line(state);
    expect(distance).toBeGreaterThan(0); // a different storage, a different path
    expect(distance).toBeLessThan(0.1);
    expect(loss).toBeLessThan(2 * float32.loss);
  }
  // 4-bit second moments are never below 1/16 of their block's largest: small ones step too little.
  const fourBit = line("4bit");
  expect(fourBit.distance).toBeGreaterThan(line("8bit").distance);
  expect(fourBit.loss).toBeLessThan(3 * float32.loss);
}, 60_000);

test("word2vec learns with every sparse optimizer, and times SparseAdam's sparse step against dense Adam's", async () => {
  const output = await runExample(
    "word2vec.js",
    "--vocab",
    "300",
    "--dim",
    "8",
    "--epochs",
    "2",
    "--max-words",
    "6000",
  );
  for (const name of ["SGD", "Adagrad", "SparseAdam", "LazyAdam", "FTRL"]) {
    const match = new RegExp(`^${name}: loss ([0-9.]+) -> ([0-9.]+),`, "m").exec(output);
    expect(match, `no loss line for ${name} in:\n${output}`).not.toBeNull();
    expect(Number(match[2]), name).toBeLessThan(Number(match[1]));
  }
  expect(numberAfter(output, "sparse speed-up:")).toBeGreaterThan(0);
  expect(output).toMatch(/^nearest to '[a-z]+': [a-z]+, [a-z]+, [a-z]+, [a-z]+$/m);
}, 120_000);
