// The public types say what the code does: `tsc -p test` fails if an expected type error is not
// one (each @ts-expect-error below must be an error), and the run checks the same at run time.
import { expect, expectTypeOf, test } from "vitest";
import { Adam, createOptimizer, loadRuntime, type OptimizerStateDict, SGD, type Parameter } from "../dist/index.js";

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
  // SGD's lr defaults to 1e-3, as in torch 2 (torch 1.13 required it).
  expect(new SGD([w], {}).paramGroups[0].options.lr).toBe(1e-3);
  expect(() => new SGD([{ params: [w], lr: 0.1 }])).not.toThrow();
  // @ts-expect-error torch113 belongs to the optimizers torch 2 changed, not to Adagrad
  expect(() => createOptimizer("adagrad", [w], { torch113: true })).toThrow(/unknown option 'torch113'/);
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

test("OptimizerStateDict needs no type argument: any optimizer's checkpoint, which loadStateDict takes and checks", async () => {
  const rt = await loadRuntime({ binary: "reference" });
  const w = rt.parameter([1, 2], { name: "w" });
  const adam = new Adam([w]);
  w.setGrad([1, 1]);
  adam.step();
  const saved: OptimizerStateDict = JSON.parse(JSON.stringify(adam.stateDict()));
  const other = new Adam([w]);
  other.loadStateDict(saved);
  expect(other.stepCount()).toBe(1);
  const sgd = new SGD([w]);
  expect(() => sgd.loadStateDict(saved)).toThrow(/SGD: cannot load state: .*adam/);
});
