// The public types say what the code does: `tsc -p test` fails if an expected type error is not
// one (each @ts-expect-error below must be an error), and the run checks the same at run time.
import { expect, expectTypeOf, test } from "vitest";
import { createOptimizer, loadRuntime, SGD, type Parameter } from "../dist/index.js";

test("parameters are typed by their dtype", async () => {
  const rt = await loadRuntime({ binary: "reference" });
  const wide = rt.parameter(new Float64Array(2));
  expectTypeOf(wide).toEqualTypeOf<Parameter<"float64">>();
  expect(wide.data).toBeInstanceOf(Float64Array);
  const narrow = rt.parameter([1, 2]);
  expectTypeOf(narrow.data).toEqualTypeOf<Float32Array>();
  const asked = rt.parameter(new Float64Array(2), { dtype: "float32" });
  expectTypeOf(asked).toEqualTypeOf<Parameter<"float32">>();
  expect(asked.data).toBeInstanceOf(Float32Array);
});

test("required options and option names are checked by the compiler too", async () => {
  const rt = await loadRuntime({ binary: "reference" });
  const w = rt.parameter([1, 2]);
  // @ts-expect-error SGD's lr has no default (as in torch.optim.SGD)
  expect(() => new SGD([w], {})).toThrow(/'lr' is required/);
  expect(() => new SGD([{ params: [w], lr: 0.1 }])).not.toThrow();
  // @ts-expect-error createOptimizer knows each optimizer's options
  expect(() => createOptimizer("adam", [w], { momentum: 0.9 })).toThrow(/unknown option 'momentum'/);
  // @ts-expect-error no such optimizer
  expect(() => createOptimizer("adamx", [w])).toThrow(/unknown optimizer 'adamx'/);
});

test("the allocator and the kernel table are not part of the API", async () => {
  const rt = await loadRuntime({ binary: "reference" });
  // @ts-expect-error internal
  expect(rt.allocator).toBeUndefined();
  // @ts-expect-error internal (present at run time, absent from the declarations)
  expect(typeof rt.kernels).toBe("object");
});
