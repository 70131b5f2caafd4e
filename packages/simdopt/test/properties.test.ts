// Property tests (fast-check) over random optimizers, options, lengths and gradients (zeros, -0,
// subnormals, huge values, NaN and ±Inf): SIMD ≡ scalar ≡ reference bit for bit, a skipped step
// changes nothing, and a checkpoint (JSON or safetensors) continues bit for bit. The case counts
// add up to RUNS below; the seed is fixed so that a failure reproduces.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createOptimizer,
  loadRuntime,
  loadSafetensors,
  OPTIMIZER_NAMES,
  saveSafetensors,
  type Dtype,
  type OptimizerName,
  type Parameter,
  type Runtime,
  OPTIMIZERS,
} from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";
import { firstDifference } from "./helpers.js";

const RUNS = { equivalence: 6000, skip: 2000, checkpoint: 2000 };
const SEED = 20261123;
const BINARIES = ["simd", "scalar", "reference"] as const;
const ROUNDINGS = ["fused", "separate"] as const;
let runtimes: Record<string, Runtime>;
let cases = 0;

beforeAll(async () => {
  const entries = await Promise.all(
    BINARIES.flatMap((binary) =>
      ROUNDINGS.map(async (rounding) => [`${binary}/${rounding}`, await loadRuntime({ binary, rounding })] as const),
    ),
  );
  runtimes = Object.fromEntries(entries);
});

afterAll(() => {
  console.log(`property tests: ${cases} cases`);
});

/** A gradient element: mostly ordinary, often one of the edge cases. */
const element = (nonFinite: boolean) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0) },
    { weight: 1, arbitrary: fc.constantFrom(1e-40, -3e-42, 5e-324, -1e-310, 1e-45) }, // subnormals of float32 and float64
    { weight: 1, arbitrary: fc.constantFrom(1e30, -3e35, 1e200, -1e300) }, // huge (Inf once rounded to float32)
    { weight: nonFinite ? 1 : 0, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
  );

const training = fc.oneof(
  fc.constant({}),
  fc.record({
    maxGradNorm: fc.double({ min: 0.01, max: 10, noNaN: true }),
    gradNormType: fc.constantFrom(2, 1, "inf" as const),
  }),
  fc.record({ clipGradValue: fc.double({ min: 0.01, max: 5, noNaN: true }) }),
);

/** A random optimizer setup: kind, options (a family with a random lr), tensors and gradients for each step. */
const setup = (nonFinite: boolean, maxSteps: number) =>
  fc.record({
    name: fc.constantFrom(...OPTIMIZER_NAMES),
    family: fc.nat(),
    lr: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
    training,
    nonFinite: fc.constantFrom("skip" as const, "propagate" as const),
    tensors: fc.array(
      fc.record({ length: fc.integer({ min: 0, max: 19 }), dtype: fc.constantFrom<Dtype>("float32", "float64") }),
      { minLength: 1, maxLength: 3 },
    ),
    seedValues: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 19, maxLength: 19 }),
    steps: fc.integer({ min: 1, max: maxSteps }),
    grads: fc.array(element(nonFinite), { minLength: 19 * 3 * maxSteps, maxLength: 19 * 3 * maxSteps }),
  });

type Setup = ReturnType<typeof setup> extends fc.Arbitrary<infer S> ? S : never;

function build(runtime: Runtime, s: Setup) {
  const params = s.tensors.map(({ length, dtype }) => runtime.parameter(s.seedValues.slice(0, length), { dtype }));
  const families = OPTION_FAMILIES[s.name as OptimizerName];
  // Presets name their learning rate as their framework does (learningRate).
  const lrName = "lr" in OPTIMIZERS[s.name].definition.defaults ? "lr" : "learningRate";
  const options = { ...families[s.family % families.length], [lrName]: s.lr, ...s.training, nonFinite: s.nonFinite };
  const optimizer = createOptimizer(s.name as OptimizerName, params, options as never);
  return { params, optimizer };
}

function setGrads(params: Parameter[], s: Setup, step: number) {
  params.forEach((p, k) => p.setGrad(s.grads.slice((step * 3 + k) * 19, (step * 3 + k) * 19 + p.length)));
}

function snapshot(run: ReturnType<typeof build>) {
  return { values: run.params.map((p) => p.toArray()), state: JSON.stringify(run.optimizer.stateDict()) };
}

function dispose(run: ReturnType<typeof build>) {
  run.optimizer.dispose();
  run.params.forEach((p) => p.dispose());
}

function expectSame(a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>) {
  a.values.forEach((v, k) => expect(firstDifference(v, b.values[k])).toBe(-1));
  expect(a.state).toBe(b.state);
}

describe("properties", () => {
  test(`SIMD ≡ scalar ≡ reference, bit for bit (${RUNS.equivalence} cases)`, () => {
    fc.assert(
      fc.property(setup(true, 3), fc.constantFrom(...ROUNDINGS), (s, rounding) => {
        cases++;
        const results = BINARIES.map((binary) => {
          const run = build(runtimes[`${binary}/${rounding}`], s);
          const reports = [];
          for (let step = 0; step < s.steps; step++) {
            setGrads(run.params, s, step);
            reports.push(run.optimizer.step());
          }
          const result = { ...snapshot(run), reports: JSON.stringify(reports) };
          dispose(run);
          return result;
        });
        for (const other of results.slice(1)) {
          expectSame(other, results[0]);
          expect(other.reports).toBe(results[0].reports);
        }
      }),
      { numRuns: RUNS.equivalence, seed: SEED },
    );
  });

  test(`skipping a non-finite step leaves everything bit-identical (${RUNS.skip} cases)`, () => {
    fc.assert(
      fc.property(setup(false, 2), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), (s, where, bad) => {
        cases++;
        const run = build(runtimes["simd/fused"], { ...s, nonFinite: "skip" });
        for (let step = 0; step < s.steps; step++) {
          setGrads(run.params, s, step);
          run.optimizer.step();
        }
        const before = snapshot(run);
        const count = run.optimizer.stepCount();
        const withElements = run.params.filter((p) => p.length > 0);
        if (withElements.length > 0) {
          const p = withElements[where % withElements.length];
          p.grad[where % p.length] = bad;
          const report = run.optimizer.step();
          expect(report.applied).toBe(false);
          expectSame(snapshot(run), before);
          expect(run.optimizer.stepCount()).toBe(count);
        }
        dispose(run);
      }),
      { numRuns: RUNS.skip, seed: SEED },
    );
  });

  test(`save, load and continue ≡ never stopping, through JSON or safetensors (${RUNS.checkpoint} cases)`, () => {
    fc.assert(
      fc.property(setup(true, 3), fc.integer({ min: 0, max: 3 }), fc.boolean(), (s, saveAfter, binary) => {
        cases++;
        const runtime = runtimes["simd/fused"];
        const original = build(runtime, s);
        const total = s.steps + 2;
        const steps = (run: ReturnType<typeof build>, from: number, to: number) => {
          for (let step = from; step < to; step++) {
            setGrads(run.params, s, step % 3);
            run.optimizer.step();
          }
        };
        const at = Math.min(saveAfter, total);
        steps(original, 0, at);
        const values = original.params.map((p) => p.toArray());
        const file = binary ? saveSafetensors(original.optimizer) : JSON.stringify(original.optimizer.stateDict());
        steps(original, at, total);
        const restored = build(runtime, s);
        restored.params.forEach((p, k) => p.set(values[k]));
        if (typeof file === "string") restored.optimizer.loadStateDict(JSON.parse(file), { allowNonFinite: true });
        else loadSafetensors(restored.optimizer, file, { allowNonFinite: true });
        steps(restored, at, total);
        expectSame(snapshot(restored), snapshot(original));
        dispose(original);
        dispose(restored);
      }),
      { numRuns: RUNS.checkpoint, seed: SEED },
    );
  });
});
