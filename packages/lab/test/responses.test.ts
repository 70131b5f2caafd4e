// The response study: the signals, and steps that follow each rule's formula.
import { loadRuntime, type Runtime } from "simdopt";
import { beforeAll, expect, test } from "vitest";
import { response, RESPONSE_SUBJECTS, SIGNAL_NAMES, SIGNAL_STEPS, SIGNALS } from "../dist/index.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

test("six signals of 300 finite steps, reproducible", () => {
  expect(SIGNAL_NAMES).toEqual([
    "spikes",
    "rectangles",
    "noisy_sine",
    "very_noisy_sine",
    "uneven_sawtooth",
    "saturation",
  ]);
  for (const name of SIGNAL_NAMES) {
    const values = SIGNALS[name].values();
    expect(values, name).toHaveLength(SIGNAL_STEPS);
    expect(values.every(Number.isFinite), name).toBe(true);
    expect(SIGNALS[name].values(), name).toEqual(values);
  }
});

test("SGD steps lr·g; momentum steps follow the heavy-ball recursion", () => {
  const g = SIGNALS.noisy_sine.values();
  const sgd = response(runtime, "sgd", { lr: 0.1 }, g);
  sgd.forEach((step, t) => expect(step).toBeCloseTo(0.1 * g[t], 14));
  const heavy = response(runtime, "sgd", { lr: 0.1, momentum: 0.9 }, g);
  let buffer = 0;
  heavy.forEach((step, t) => {
    buffer = t === 0 ? g[t] : 0.9 * buffer + g[t];
    expect(step).toBeCloseTo(0.1 * buffer, 12);
  });
});

test("Adam's step at a lone spike after 30 zero gradients is the bias-corrected ratio", () => {
  const steps = response(runtime, "adam", { lr: 0.01 }, SIGNALS.spikes.values());
  expect(steps.slice(0, 30).every((s) => s === 0)).toBe(true);
  const t = 31;
  const expected = (0.01 * (0.1 / (1 - 0.9 ** t))) / (Math.sqrt(0.001 / (1 - 0.999 ** t)) + 1e-8);
  expect(steps[30]).toBeCloseTo(expected, 12);
});

test.each(RESPONSE_SUBJECTS.map((s) => [s.label, s] as const))(
  "%s: three values of its main hyper-parameter give three different responses",
  (_, subject) => {
    const g = SIGNALS.rectangles.values();
    const series = subject.values.map((v) =>
      response(runtime, subject.optimizer, { ...subject.base, ...subject.apply(v) }, g),
    );
    expect(series).toHaveLength(3);
    for (const s of series) expect(s.every(Number.isFinite)).toBe(true);
    expect(series[0]).not.toEqual(series[1]);
    expect(series[1]).not.toEqual(series[2]);
  },
);
