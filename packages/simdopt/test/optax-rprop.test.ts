// optax 0.2.8's rprop against torch's Rprop on the same gradients: the same step sizes, an update
// P = sign(g)·Δ that is torch's step of that iteration, and θ moved by the previous iteration's P
// (nothing at the first step, nothing where the sign flips), as golden/presets/README.md describes.
import { beforeAll, expect, test } from "vitest";
import { loadRuntime, type Optimizer, OptaxRprop, Rprop, type Runtime } from "../dist/index.js";
import { gradientsFor, randomArray } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

function buffers(optimizer: Optimizer<object>): { prev: number[]; stepSize: number[] } {
  const state = optimizer.stateDict().state["0"] as unknown as Record<string, { data: number[] }>;
  return { prev: state.prev.data, stepSize: state.step_size.data };
}

test.each(["float32", "float64"] as const)("optax:rprop applies torch's Rprop step one step late (%s)", (dtype) => {
  const n = 37;
  const optaxParam = runtime.parameter(randomArray(n, 5), { dtype });
  const torchParam = runtime.parameter(randomArray(n, 6), { dtype });
  const lagging = new OptaxRprop([optaxParam], {
    learningRate: 0.05,
    etaMinus: 0.3,
    etaPlus: 1.5,
    minStepSize: 1e-4,
    maxStepSize: 1,
  });
  const torch = new Rprop([torchParam], { lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-4, 1] });
  const round = dtype === "float32" ? Math.fround : Number;
  let update = new Array<number>(n).fill(0); // P before the first step
  let flips = 0;
  for (let step = 0; step < 25; step++) {
    const grad = gradientsFor(n, step, 2);
    const before = Array.from(optaxParam.data);
    optaxParam.setGrad(grad);
    torchParam.setGrad(grad);
    lagging.step();
    torch.step();
    const expected = before.map((p, i) => (round(grad[i] * update[i]) < 0 ? p : round(p - update[i])));
    flips += grad.filter((g, i) => round(g * update[i]) < 0).length;
    expect(Array.from(optaxParam.data)).toEqual(expected);
    const optaxState = buffers(lagging);
    const torchState = buffers(torch);
    expect(optaxState.stepSize).toEqual(torchState.stepSize);
    expect(optaxState.prev).toEqual(torchState.prev.map((g, i) => round(Math.sign(g) * torchState.stepSize[i])));
    update = optaxState.prev;
  }
  expect(flips).toBeGreaterThan(0);
});
