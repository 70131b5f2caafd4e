// The library in a page: every optimizer, float32 and float64, both roundings, on the SIMD and the
// scalar binary, against the plain-JS reference, bit for bit.
import {
  createOptimizer,
  loadRuntime,
  OPTIMIZER_NAMES,
  type Dtype,
  type OptimizerName,
  type Rounding,
  type Runtime,
} from "simdopt";
import { seededRandom } from "../src/random.js";

/**
 * Option sets per optimizer that take its flags' branches (a superset is in simdopt's own tests);
 * an optimizer not listed runs with its defaults.
 */
const FAMILIES: Partial<Record<OptimizerName, object[]>> = {
  sgd: [
    { lr: 0.1 },
    { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.9, nesterov: true, maximize: true },
  ],
  adam: [{ lr: 0.01 }, { lr: 0.01, amsgrad: true, weightDecay: 0.05 }],
  adamw: [{ lr: 0.01, weightDecay: 0.1, amsgrad: true }],
  adamax: [{ lr: 0.02, weightDecay: 0.01, maximize: true }],
  nadam: [{ lr: 0.02, momentumDecay: 0.01, weightDecay: 0.01 }],
  radam: [{ lr: 0.01, weightDecay: 0.01 }],
  adagrad: [{ lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }],
  adadelta: [{ lr: 0.5, rho: 0.95, weightDecay: 0.01 }],
  rmsprop: [{ lr: 0.01 }, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01 }],
  rprop: [{ lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-4, 1] }],
};
const LENGTHS = [1, 3, 4, 17, 1025];
const STEPS = 8;

interface CheckResult {
  done: boolean;
  /** Optimizers times their option sets. */
  optionSets: number;
  passed: number;
  failed: number;
  failures: string[];
  builds: string[];
  sharedMemory: boolean[];
  crossOriginIsolated: boolean;
  error?: string;
}

const result: CheckResult = {
  done: false,
  optionSets: OPTIMIZER_NAMES.reduce((sum, name) => sum + (FAMILIES[name] ?? [{}]).length, 0),
  passed: 0,
  failed: 0,
  failures: [],
  builds: [],
  sharedMemory: [],
  crossOriginIsolated,
};
(window as unknown as { check: CheckResult }).check = result;

function run(runtime: Runtime, name: OptimizerName, options: object, dtype: Dtype, length: number): Float64Array {
  const random = seededRandom(length * 31 + 7);
  const param = runtime.parameter(
    Array.from({ length }, () => random() * 2 - 1),
    { dtype },
  );
  const optimizer = createOptimizer(name, [param], options as never);
  for (let step = 0; step < STEPS; step++) {
    param.setGrad(Array.from({ length }, (_, i) => (i % 7 === 0 ? 0 : (random() - 0.5) * (step % 5 === 4 ? 50 : 1))));
    optimizer.step();
  }
  const values = Float64Array.from(param.data);
  optimizer.dispose();
  param.dispose();
  return values;
}

const sameBits = (a: Float64Array, b: Float64Array) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])));

try {
  for (const rounding of ["fused", "separate"] as Rounding[]) {
    const runtimes = await Promise.all(
      (["reference", "scalar", "simd"] as const).map((binary) => loadRuntime({ binary, rounding })),
    );
    for (const rt of runtimes) {
      result.builds.push(rt.build);
      result.sharedMemory.push(rt.sharedMemory);
    }
    const [reference, ...wasm] = runtimes;
    for (const name of OPTIMIZER_NAMES) {
      for (const options of FAMILIES[name] ?? [{}]) {
        for (const dtype of ["float32", "float64"] as Dtype[]) {
          for (const length of LENGTHS) {
            const expected = run(reference, name, options, dtype, length);
            for (const rt of wasm) {
              const label = `${name} ${JSON.stringify(options)} ${dtype} ${rounding} n=${length} on ${rt.build}`;
              if (sameBits(run(rt, name, options, dtype, length), expected)) result.passed++;
              else {
                result.failed++;
                result.failures.push(label);
              }
            }
          }
        }
      }
    }
  }
} catch (error) {
  result.error = String(error);
}
result.done = true;
document.getElementById("result")!.textContent =
  `${result.passed} passed, ${result.failed} failed\n` +
  `binaries: ${result.builds.join(", ")}\ncross-origin isolated: ${crossOriginIsolated}\n${result.failures.join("\n")}`;
