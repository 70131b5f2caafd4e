// What the bundled page computes in its Web Worker, and Node in the test: Adam and LAMB on two
// threads (every call split: threadMinElements 0), float32 and float64, a few steps; the values as
// their bits, so that the comparison is exact. The inputs are rationals, not Math.sin's: engines
// may round transcendental functions differently in the last bit.
export async function compute({ loadRuntime, createOptimizer }) {
  const rt = await loadRuntime({ threads: 2, threadMinElements: 0 });
  const threads = await rt.startThreads();
  const results = {};
  for (const name of ["adam", "lamb"]) {
    for (const dtype of ["float32", "float64"]) {
      const params = [4099, 17].map((n, k) =>
        rt.parameter(
          Array.from({ length: n }, (_, i) => (((i + k) * 7919) % 1999) / 1000 - 1),
          { dtype },
        ),
      );
      const optimizer = createOptimizer(name, params, {});
      for (let step = 0; step < 4; step++) {
        for (const p of params)
          p.setGrad(Array.from({ length: p.length }, (_, i) => (((i + 3) * (step + 2) * 104729) % 997) / 500 - 1));
        optimizer.step();
      }
      results[`${name} ${dtype}`] = params.flatMap((p) => Array.from(new Uint32Array(p.toArray().buffer)));
    }
  }
  const report = { threads, build: rt.build, splitCalls: rt.threadPool?.splitCalls ?? 0, results };
  rt.close();
  return report;
}
