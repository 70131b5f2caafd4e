// Many steps (bias corrections near 1, RAdam long past its switch, Adagrad's sums growing, NAdam's
// μ product near 0) still agree bit for bit across the three kernel tables.
import { expect, test } from "vitest";
import { createOptimizer, loadRuntime, OPTIMIZER_NAMES } from "../dist/index.js";
import { firstDifference, gradientsFor, randomArray } from "./helpers.js";
import { OPTION_FAMILIES } from "./families.js";

test.each(OPTIMIZER_NAMES)("%s over 3000 steps", async (name) => {
  const runtimes = await Promise.all(
    (["reference", "scalar", "simd"] as const).map((binary) => loadRuntime({ binary })),
  );
  for (const options of OPTION_FAMILIES[name]) {
    for (const dtype of ["float32", "float64"] as const) {
      const finals = runtimes.map((runtime) => {
        const p = runtime.parameter(randomArray(9, 3), { dtype });
        const optimizer = createOptimizer(name, [p], options);
        for (let step = 0; step < 3000; step++) {
          p.setGrad(gradientsFor(9, step, 1));
          optimizer.step();
        }
        expect(optimizer.stepCount()).toBe(3000);
        return Array.from(p.data);
      });
      expect(firstDifference(finals[1], finals[0]), `scalar ${dtype} ${JSON.stringify(options)}`).toBe(-1);
      expect(firstDifference(finals[2], finals[0]), `simd ${dtype} ${JSON.stringify(options)}`).toBe(-1);
    }
  }
});
