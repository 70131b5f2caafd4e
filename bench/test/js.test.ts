import { describe, expect, it } from "vitest";

import { CASE_IDS, findCase } from "../src/cases.js";
import { makeData } from "../src/data.js";
import { referenceAtGate, runGate, GATE_STEPS } from "../src/gate.js";
import { createJsStepper } from "../src/impls/js.js";

describe("plain-JS implementations agree with simdopt's reference", () => {
  it("covers every case", () => {
    expect(CASE_IDS).toHaveLength(20);
  });
  describe.each(["float32", "float64"] as const)("%s", (dtype) => {
    it.each(CASE_IDS.flatMap((id) => [1, 7, 1024].map((size) => [id, size] as const)))(
      "%s at size %d",
      async (id, size) => {
        const c = findCase(id);
        const data = makeData(size, dtype);
        const expected = await referenceAtGate(c, data);
        const js = createJsStepper(c, data);
        runGate({ impl: "js", check: "tolerance", caseId: id, dtype, size, steps: GATE_STEPS }, js, expected, data);
        // the stepper must have moved the parameters
        expect(js.read()).not.toEqual(data.params);
      },
    );
  });

  it.each([
    ["sgd", { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.1 }],
    ["sgd", { lr: 0.01, momentum: 0.5, dampening: 0.3, maximize: true }],
    ["adam", { lr: 0.01, amsgrad: true, weightDecay: 0.1 }],
    ["rmsprop", { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.01 }],
    ["adagrad", { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }],
    ["radam", { lr: 0.01, weightDecay: 0.1 }],
  ] as const)("%s with options %j", async (optimizer, options) => {
    const c = { ...findCase(optimizer === "sgd" ? "sgd" : optimizer), options: { ...options } };
    const data = makeData(333, "float32");
    // more steps so that RAdam's rectification switches on (step > 5)
    const expected = await referenceAtGate(c, data, "separate", 8);
    runGate(
      { impl: "js", check: "tolerance", caseId: optimizer, dtype: "float32", size: 333, steps: 8 },
      createJsStepper(c, data),
      expected,
      data,
    );
  });
});
