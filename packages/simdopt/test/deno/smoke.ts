// Run by deno.test.ts under Deno: the built package, every optimizer for a few steps on the SIMD
// and scalar binaries, compared bit for bit with the plain-JS reference in the same process.
// Prints one JSON line: { runtime, simd, results: [{ name, dtype, binary, same, moved }] }.
import { createOptimizer, isSimdSupported, loadRuntime, OPTIMIZER_NAMES } from "../../dist/index.js";

const runtimes = await Promise.all((["reference", "scalar", "simd"] as const).map((binary) => loadRuntime({ binary })));
const results = [];
for (const name of OPTIMIZER_NAMES) {
  for (const dtype of ["float32", "float64"] as const) {
    const finals = runtimes.map((runtime) => {
      const p = runtime.parameter(Array.from({ length: 37 }, (_, i) => Math.sin(i + 1)), { dtype });
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
        binary: runtimes[k + 1].binary,
        same: values.every((v, i) => Object.is(v, reference[i])),
        moved: values.some((v, i) => v !== Math.fround(Math.sin(i + 1)) && v !== Math.sin(i + 1)),
      });
    });
  }
}
// @ts-ignore: Deno is the global of the runtime this script is written for
console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, simd: isSimdSupported(), results }));
