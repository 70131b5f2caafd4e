// Every example runs as a script, at sizes small enough for CI, and learns what it should.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

/** Runs `node examples/<script> [args]`; returns its output, failing with its stderr if it fails. */
function runExample(script, ...args) {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const run = spawnSync(process.execPath, [path, ...args], { encoding: "utf8" });
  expect(run.status, `${script} failed:\n${run.stderr}`).toBe(0);
  return run.stdout;
}

/** The number after `label` in `text`. */
function numberAfter(text, label) {
  const match = new RegExp(`${label} (-?[0-9.]+(?:e[-+]?[0-9]+)?)`).exec(text);
  expect(match, `no '${label} <number>' in:\n${text}`).not.toBeNull();
  return Number(match[1]);
}

test("linear regression recovers the true weights", () => {
  const output = runExample("linear-regression.js", "--samples", "300", "--features", "4", "--steps", "300");
  expect(numberAfter(output, "largest weight error:")).toBeLessThan(1e-2);
  expect(numberAfter(output, "step 300: loss")).toBeLessThan(numberAfter(output, "step 1: loss") / 100);
}, 60_000);

test("the MLP separates the two moons", () => {
  const output = runExample("mlp.js", "--points", "120", "--hidden", "8", "--steps", "200");
  expect(numberAfter(output, "training accuracy:")).toBeGreaterThanOrEqual(85);
  expect(numberAfter(output, "step 200: loss")).toBeLessThan(numberAfter(output, "step 1: loss"));
}, 60_000);

test("simdopt trains TF.js variables as tf.train.adam does, and reports the speed-up", () => {
  const output = runExample("tfjs.js", "--inputs", "16", "--hidden", "32", "--batch", "16", "--steps", "8");
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
}, 60_000);

test("word2vec learns with every sparse optimizer, and times SparseAdam's sparse step against dense Adam's", () => {
  const output = runExample("word2vec.js", "--vocab", "300", "--dim", "8", "--epochs", "2", "--max-words", "6000");
  for (const name of ["SGD", "Adagrad", "SparseAdam", "LazyAdam", "FTRL"]) {
    const match = new RegExp(`^${name}: loss ([0-9.]+) -> ([0-9.]+),`, "m").exec(output);
    expect(match, `no loss line for ${name} in:\n${output}`).not.toBeNull();
    expect(Number(match[2]), name).toBeLessThan(Number(match[1]));
  }
  expect(numberAfter(output, "sparse speed-up:")).toBeGreaterThan(0);
  expect(output).toMatch(/^nearest to '[a-z]+': [a-z]+, [a-z]+, [a-z]+, [a-z]+$/m);
}, 120_000);
