// Run by deno.test.ts under Deno: the built package, every optimizer for a few steps on the SIMD
// binary (relaxed SIMD where Deno has it and it fuses, and the exact emulation) and the scalar
// binary, compared bit for bit with the plain-JS reference in the same process; and the hard
// fused multiply-add cases on each. Prints one JSON line:
// { runtime, simd, relaxed, results: [{ name, dtype, binary, same, moved }], fma: [{ binary, same }] }.
import { createOptimizer, isSimdSupported, loadRuntime, OPTIMIZER_NAMES, relaxedSimdFuses } from "../../dist/index.js";
import { FMA_CASES, fusedExpected, fusedOnRuntime } from "../fma-cases.ts";

const runtimes = await Promise.all([
  loadRuntime({ binary: "reference" }),
  loadRuntime({ binary: "scalar" }),
  loadRuntime({ binary: "simd" }),
  loadRuntime({ binary: "simd", relaxedSimd: false }),
]);
const results = [];
for (const name of OPTIMIZER_NAMES) {
  for (const dtype of ["float32", "float64"] as const) {
    const finals = runtimes.map((runtime) => {
      const p = runtime.parameter(
        Array.from({ length: 37 }, (_, i) => Math.sin(i + 1)),
        { dtype },
      );
      const opt = createOptimizer(name, [p], name === "sgd" ? { lr: 0.05, momentum: 0.9, nesterov: true } : {});
      for (let step = 0; step < 6; step++) {
        p.setGrad(Array.from({ length: 37 }, (_, i) => (i % 7 === 0 ? 0 : Math.cos(i * (step + 2)))));
        opt.step();
      }
      return Array.from(p.data);
    });
    const [reference, ...others] = finals;
    others.forEach((values, k) => {
      results.push({
        name,
        dtype,
        binary: runtimes[k + 1].build,
        same: values.every((v, i) => Object.is(v, reference[i])),
        moved: values.some((v, i) => v !== Math.fround(Math.sin(i + 1)) && v !== Math.sin(i + 1)),
      });
    });
  }
}
const fma = runtimes.map((runtime) => ({
  binary: runtime.build,
  same: FMA_CASES.every(([a, addends]) =>
    fusedOnRuntime(runtime, a, addends).every((value, i) => Object.is(value, fusedExpected(a, addends)[i])),
  ),
}));
const relaxed = await relaxedSimdFuses();
// @ts-expect-error: Deno is the global of the runtime this script is written for
console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, simd: isSimdSupported(), relaxed, results, fma }));
