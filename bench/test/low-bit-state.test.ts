import { describe, expect, it } from "vitest";

import { parseArgs, TIMING } from "../src/args.js";
import { runLowBitState, STATE_FORMATS } from "../src/low-bit-state.js";

describe("low-bit state case", () => {
  it("counts the bytes each format moves and keeps per parameter", () => {
    expect(STATE_FORMATS.map((f) => [f.state, f.moved, f.resident])).toEqual([
      ["float32", 28, 16],
      ["bfloat16", 20, 12],
      ["8bit", 16.0625, 10.03125],
      ["4bit", 14.125, 9.0625],
      ["fp8", 16.0625, 10.03125],
    ]);
  });

  const timing = {
    ...TIMING.quick,
    warmupMs: 1,
    minSampleMs: 1,
    minSamples: 3,
    slowMinSamples: 2,
    timeMs: 1,
    maxTaskMs: 50,
  };

  it("times Adam with each format and relates it to float32 Adam at the same size, in pairs", async () => {
    const results = await runLowBitState(timing, () => {}, [4096]);
    expect(results.map((r) => r.state)).toEqual(["float32", "bfloat16", "8bit", "4bit", "fp8"]);
    expect(results[0].vsFloat32).toBe(1);
    expect(results[0].paired).toBeNull();
    for (const r of results) {
      expect(r.mParamsPerSec).toBeGreaterThan(0);
      // 4096 is below the two-thread sizes.
      expect(r.twoThreads).toBeNull();
      expect(r.bandwidthTwoThreads).toBeNull();
    }
    for (const r of results.slice(1)) {
      const paired = r.paired!;
      expect(r.vsFloat32).toBe(paired.ratio);
      expect(paired.min).toBeGreaterThan(0);
      expect(paired.min).toBeLessThanOrEqual(paired.ratio);
      expect(paired.ratio).toBeLessThanOrEqual(paired.max);
    }
  });

  it("pairs two threads against one per format, beside the bandwidth reference with its traffic", async () => {
    const results = await runLowBitState(timing, () => {}, [4096], 4096);
    for (const r of results) {
      for (const paired of [r.twoThreads!, r.bandwidthTwoThreads!]) {
        expect(paired.pairs).toBeGreaterThanOrEqual(5);
        expect(paired.min).toBeGreaterThan(0);
        expect(paired.ratio).toBeLessThanOrEqual(paired.max);
      }
    }
  });

  it("runs as the many-tensor case does; the capacity count only when asked or with --full", () => {
    const parsed = (argv: string[]) => {
      const r = parseArgs(argv);
      if (r.help) throw new Error("help");
      return [r.lowBitState, r.capacity];
    };
    expect(parsed([])).toEqual([true, false]);
    expect(parsed(["--full"])).toEqual([true, true]);
    expect(parsed(["--sizes", "1K"])).toEqual([false, false]);
    expect(parsed(["--impls", "js", "--low-bit-state", "--capacity"])).toEqual([true, true]);
    expect(parsed(["--no-low-bit-state"])).toEqual([false, false]);
    expect(() => parseArgs(["--low-bit-state", "--no-low-bit-state"])).toThrow(/contradict/);
  });
});
