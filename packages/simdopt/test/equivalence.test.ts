// The reference, the scalar binary and the SIMD binary agree bit for bit, for every optimizer and
// option family, float32 and float64, at lengths that exercise the SIMD body and every tail.
import { beforeAll, describe, expect, test } from "vitest";
import {
  createOptimizer,
  OPTIMIZER_NAMES,
  type Dtype,
  type OptimizerName,
  type Rounding,
  type Runtime,
} from "../dist/index.js";
import { KERNEL_LAYOUTS } from "../dist/generated/kernels.js";
import { OPTION_FAMILIES } from "./families.js";
import { firstDifference, gradientsFor, randomArray, runtimesByRounding } from "./helpers.js";

const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 1023, 1025];
const STEPS = 8; // RAdam switches to its rectified update within these

const ROUNDING = ["separate", "fused"] as const;
let runtimes: Record<Rounding, Runtime[]>;
beforeAll(async () => {
  runtimes = await runtimesByRounding();
});

/** Runs `steps` steps on two tensors (lengths n and 3) and returns the final values of both. */
function run(
  runtime: Runtime,
  name: OptimizerName,
  options: object,
  dtype: Dtype,
  n: number,
  gradients = gradientsFor,
): number[][] {
  const params = [n, 3].map((length, k) => runtime.parameter(randomArray(length, 11 + k), { dtype }));
  const optimizer = createOptimizer(name, params, options);
  for (let step = 0; step < STEPS; step++) {
    params.forEach((param, k) => param.setGrad(gradients(param.length, step, 5 + k)));
    optimizer.step();
  }
  const values = params.map((param) => Array.from(param.data));
  optimizer.dispose();
  params.forEach((param) => param.dispose());
  return values;
}

describe.each(OPTIMIZER_NAMES)("%s: reference ≡ scalar ≡ SIMD", (name) => {
  const cases = OPTION_FAMILIES[name].flatMap((options) =>
    (["float32", "float64"] as const).flatMap((dtype) =>
      ROUNDING.map((rounding) => ({ options, dtype, rounding, label: JSON.stringify(options) })),
    ),
  );
  test.each(cases)("$dtype $rounding $label", ({ options, dtype, rounding }) => {
    for (const n of LENGTHS) {
      const [reference, ...others] = runtimes[rounding].map((runtime) => run(runtime, name, options, dtype, n));
      others.forEach((values, b) => {
        values.forEach((tensor, k) => {
          const at = firstDifference(tensor, reference[k]);
          expect(
            at,
            `${runtimes[rounding][b + 1].binary} differs from the reference at length ${n}, tensor ${k}, index ${at}`,
          ).toBe(-1);
        });
      });
      // The optimizer moved something (a kernel that did nothing would agree too). A sign-based
      // step (Lion) can come back exactly to where it started on a tensor of one moving element.
      const round = dtype === "float32" ? Math.fround : Number;
      const moved = [n, 3].some(
        (length, k) => firstDifference(reference[k], randomArray(length, 11 + k).map(round)) !== -1,
      );
      if (n > 1) expect(moved).toBe(true);
    }
  });
});

describe("LAMB's sums over several blocks: reference ≡ scalar ≡ SIMD", () => {
  // The norms are summed per block and the blocks in order: lengths of one block, one past it, and
  // several blocks with a scalar tail.
  const block = KERNEL_LAYOUTS.lamb.blocks.elements;
  const cases = (["lamb", "optax:lamb"] as const).flatMap((name) =>
    OPTION_FAMILIES[name].flatMap((options) =>
      (["float32", "float64"] as const).map((dtype) => ({ name, options, dtype, label: JSON.stringify(options) })),
    ),
  );
  test.each(cases)("$name $dtype $label", ({ name, options, dtype }) => {
    for (const n of [block, block + 1, 3 * block + 5]) {
      const [reference, ...others] = runtimes.fused.map((runtime) => run(runtime, name, options, dtype, n));
      others.forEach((values, b) =>
        expect(
          firstDifference(values[0], reference[0]),
          `${runtimes.fused[b + 1].binary} differs from the reference at length ${n}`,
        ).toBe(-1),
      );
    }
  });
});

describe("edge values agree bit for bit", () => {
  const edges = [0, -0, 1e30, -1e30, 1e-30, -1e-38, 3e38, Infinity, -Infinity, NaN, 5e-324, 1e300];
  const edgeGradients = (length: number, step: number, seed: number) =>
    gradientsFor(length, step, seed).map((g, i) =>
      (i + step) % 3 === 0 ? edges[(i + step + seed) % edges.length] : g,
    );
  test.each(
    OPTIMIZER_NAMES.flatMap((name) =>
      OPTION_FAMILIES[name].map((options) => ({ name, options, label: JSON.stringify(options) })),
    ),
  )("$name $label", ({ name, options }) => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const rounding of ROUNDING) {
        const [reference, ...others] = runtimes[rounding].map((runtime) =>
          run(runtime, name, options, dtype, 37, edgeGradients),
        );
        others.forEach((values) =>
          values.forEach((tensor, k) => expect(firstDifference(tensor, reference[k])).toBe(-1)),
        );
      }
    }
  });
});
