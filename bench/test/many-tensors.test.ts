import { describe, expect, it } from "vitest";

import { TIMING } from "../src/args.js";
import { layoutLabel, LAYOUTS, runManyTensors } from "../src/many-tensors.js";

describe("many-tensor case", () => {
  it("compares one tensor of 1M with 1,000 of 1K and 10,000 of 100", () => {
    expect(LAYOUTS.map(layoutLabel)).toEqual(["1 x 1M", "1,000 x 1K", "10,000 x 100"]);
  });

  it("times every layout and relates it to the first", async () => {
    const timing = {
      ...TIMING.quick,
      warmupMs: 1,
      minSampleMs: 1,
      minSamples: 3,
      slowMinSamples: 2,
      timeMs: 1,
      maxTaskMs: 50,
    };
    const layouts = [
      { tensors: 1, length: 4096 },
      { tensors: 64, length: 64 },
    ];
    const results = await runManyTensors(timing, () => {}, layouts);
    expect(results.map((r) => r.params)).toEqual([4096, 4096]);
    expect(results[0].vsOneTensor).toBe(1);
    for (const r of results) expect(r.mParamsPerSec).toBeGreaterThan(0);
    expect(results[1].vsOneTensor).toBeCloseTo(results[1].mParamsPerSec / results[0].mParamsPerSec, 10);
  });
});
