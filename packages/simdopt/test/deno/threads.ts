// Run by deno-threads.test.ts under Deno: every optimizer, float32 and float64, on two threads
// (every call split) and on one, compared bit for bit; the runtime is not closed, so the process
// must also exit by itself; then LAMB on one tensor cut between the threads. Prints one JSON line:
// { runtime, threads, split, results: [{ name, dtype, same, moved }], lambOneTensor: [{ dtype, same, workerRan }] }.
import { createOptimizer, loadRuntime, OPTIMIZER_NAMES } from "../../dist/index.js";

const single = await loadRuntime({ threads: 1 });
const threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
const threads = await threaded.startThreads();
const lengths = [1000, 17, 4099, 0, 33];
const results = [];
for (const name of OPTIMIZER_NAMES) {
  for (const dtype of ["float32", "float64"] as const) {
    const [one, two] = [single, threaded].map((runtime) => {
      const params = lengths.map((n, k) =>
        runtime.parameter(
          Array.from({ length: n }, (_, i) => Math.sin(i + k + 1)),
          { dtype },
        ),
      );
      const opt = createOptimizer(name, params, name === "sgd" ? { lr: 0.05, momentum: 0.9, nesterov: true } : {});
      for (let step = 0; step < 5; step++) {
        params.forEach((p) =>
          p.setGrad(Array.from({ length: p.length }, (_, i) => (i % 7 === 0 ? 0 : Math.cos(i * (step + 2))))),
        );
        opt.step();
      }
      return params.flatMap((p) => Array.from(p.data));
    });
    results.push({
      name,
      dtype,
      same: one.length === two.length && one.every((value, i) => Object.is(value, two[i])),
      moved: one.some((value, i) => value !== Math.sin((i % 1000) + 1)),
    });
  }
}
const pool = (threaded as unknown as { threadPool: { splitCalls: number; chunksRun(): number[] } }).threadPool;
const split = pool.splitCalls;
// LAMB on one tensor of several blocks, and Adafactor on one of several blocks of whole rows (cut
// inside them, in phases), both dtypes: the same bits, and the worker ran chunks of them.
const oneTensor = [];
const blocked = [
  { name: "lamb", shape: [64 * 4096 + 3], options: { lr: 0.01, weightDecay: 0.01 } },
  { name: "adafactor", shape: [256, 1001], options: { lr: 0.01, weightDecay: 0.01 } },
] as const;
for (const { name, shape, options } of blocked) {
  for (const dtype of ["float32", "float64"] as const) {
    const length = shape.reduce((a: number, b: number) => a * b, 1);
    const runsBefore = pool.chunksRun()[0];
    const [one, two] = [single, threaded].map((runtime) => {
      const param = runtime.parameter(
        Array.from({ length }, (_, i) => Math.sin(i + 1)),
        { dtype, shape: [...shape] },
      );
      const opt = createOptimizer(name, [param], options);
      for (let step = 0; step < 5; step++) {
        param.setGrad(Array.from({ length }, (_, i) => Math.cos(i * (step + 2))));
        opt.step();
      }
      return Array.from(param.data);
    });
    oneTensor.push({
      name,
      dtype,
      same: one.every((value, i) => Object.is(value, two[i])),
      workerRan: pool.chunksRun()[0] - runsBefore,
    });
  }
}
console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, threads, split, results, oneTensor }));
