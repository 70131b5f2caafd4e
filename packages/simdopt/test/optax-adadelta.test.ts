// optax.adadelta's default learning_rate=None: optax skips scale_by_learning_rate, and with it the
// sign flip, so the update is added. One step of p = [1], g = [1], optax 0.2.8 (jax 0.10.2, x64 on):
//   optax.apply_updates(p, optax.adadelta().update(jnp.array([1.0], dtype), state, p)[0])
// gives 1.0031622648239136 in float32 and 1.0031622618488987 in float64.
import { expect, test } from "vitest";
import { loadRuntime, OptaxAdadelta } from "../dist/index.js";

test.each([
  ["float32", 1.0031622648239136],
  ["float64", 1.0031622618488987],
] as const)("optax:adadelta without a learning rate adds its update, as optax does (%s)", async (dtype, expected) => {
  for (const binary of ["simd", "scalar", "reference"] as const) {
    const runtime = await loadRuntime({ binary });
    const p = runtime.parameter([1], { dtype });
    const opt = new OptaxAdadelta([p]);
    expect(opt.paramGroups[0].learningRate).toBeNull();
    p.setGrad([1]);
    opt.step();
    expect(p.data[0]).toBe(expected);
    opt.dispose();
    p.dispose();
  }
});

test("optax:adadelta with a learning rate steps down the gradient", async () => {
  const runtime = await loadRuntime({ binary: "reference" });
  const p = runtime.parameter([1], { dtype: "float64" });
  const opt = new OptaxAdadelta([p], { learningRate: 1 });
  p.setGrad([1]);
  opt.step();
  expect(p.data[0]).toBe(0.9968377381511013);
});
