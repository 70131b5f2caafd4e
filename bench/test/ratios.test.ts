import { describe, expect, it } from "vitest";

import { threadLines, targetChecks } from "../src/report/threads.js";
import type { PairedRatio } from "../src/paired.js";
import { derive, type BandwidthResult, type BenchResults, type ImplResult } from "../src/run.js";

const bandwidth = { medianMs: 1 } as BandwidthResult;
const ok = (impl: string, medianMs: number): ImplResult => ({ impl, status: "ok", medianMs });
const pairedAt = (ratio: number): PairedRatio => ({
  ratio,
  min: ratio,
  q1: ratio,
  q3: ratio,
  max: ratio,
  pairs: 5,
  batch: 8,
});

function results(cases: { id: string; sizes: [number, ImplResult[]][] }[]): BenchResults {
  return {
    cases: cases.map((c) => ({ id: c.id, sizes: c.sizes.map(([size, impls]) => derive(size, 28, bandwidth, impls)) })),
  } as unknown as BenchResults;
}

describe("ratios of medians to one thread", () => {
  it("are the one-thread counterpart's median over the implementation's, null where it did not run", () => {
    const s = derive(1 << 20, 28, bandwidth, [
      ok("wasm-simd", 4),
      ok("wasm-simd-threads", 2.5),
      ok("native", 2),
      ok("native-2t", 1),
      { impl: "js", status: "n/a", reason: "x" },
    ]);
    const threads = s.impls.find((r) => r.impl === "wasm-simd-threads")!;
    expect(threads.vsOneThread).toBeCloseTo(1.6);
    expect(s.impls.find((r) => r.impl === "native-2t")!.vsOneThread).toBe(2);
    expect(s.impls.find((r) => r.impl === "wasm-simd")!.vsOneThread).toBeUndefined();
    const alone = derive(4096, 28, bandwidth, [ok("wasm-simd-threads", 1)]).impls[0];
    expect(alone.vsOneThread).toBeNull();
  });
});

describe("thread targets", () => {
  const run = results([
    {
      id: "adam",
      sizes: [
        [4096, [ok("wasm-simd", 1), ok("wasm-simd-threads", 1.1)]],
        [65536, [ok("wasm-simd", 1), ok("wasm-simd-threads", 0.5)]],
        [1 << 24, [ok("wasm-simd", 10), ok("wasm-simd-threads", 5), ok("native", 6), ok("native-2t", 3.5)]],
      ],
    },
  ]);
  // Timed in pairs (the medians above would give 0.7x and 1.71x).
  run.cases[0].sizes[2].nativePaired = { "wasm-simd-threads": pairedAt(0.75), "native-2t": pairedAt(1.9) };

  it("check every size that has a target, and Adam at 16M against native-2t", () => {
    const checks = targetChecks(run);
    expect(checks.map((c) => [c.what, c.met])).toEqual([
      ["adam 4K threads ÷ one thread", false],
      ["adam 16M threads ÷ one thread", true],
      ["adam 16M threads ÷ native-2t", false],
    ]);
    expect(checks[2].value).toBe(0.75);
  });

  it("are summarised under the table, naming what was missed", () => {
    const text = threadLines(run).join("\n");
    expect(text).toContain("| adam | 0.909× | 2× | 2× (native 1.9×) |");
    expect(text).toContain(
      "1 of 3 met; missed: adam 4K threads ÷ one thread 0.909×, adam 16M threads ÷ native-2t 0.75×.",
    );
  });

  it("use the paired ratio where it was timed", () => {
    const paired = results([{ id: "sgd", sizes: [[1 << 20, [ok("wasm-simd", 2), ok("wasm-simd-threads", 1.9)]]] }]);
    paired.cases[0].sizes[0].threadsPaired = pairedAt(1.85);
    expect(targetChecks(paired).map((c) => [c.value, c.met])).toEqual([[1.85, true]]);
    expect(threadLines(paired).join("\n")).toContain("| sgd | 1.85× |");
  });

  it("show, and name with a miss, what the bandwidth reference gained from a second thread", () => {
    // One thread at 1.6 ms against the reference's 1 ms (62.5% of bandwidth); two threads at 1.28 ms.
    const memory = results([{ id: "sgd", sizes: [[1 << 24, [ok("wasm-simd", 1.6), ok("wasm-simd-threads", 1.28)]]] }]);
    memory.cases[0].sizes[0].bandwidth = { ...bandwidth, twoThreads: pairedAt(1.4) };
    const [check] = targetChecks(memory);
    expect(check).toMatchObject({ value: 1.25, met: false, memory: 1.4 });
    expect(check.ofTwoThreadBandwidth).toBeCloseTo((0.625 * 1.25) / 1.4);
    const text = threadLines(memory).join("\n");
    expect(text).toContain("| sgd | 1.25× (memory 1.4×) |");
    expect(text).toContain("missed: sgd 16M threads ÷ one thread 1.25× (memory 1.4×, 56% of two-thread bandwidth).");
  });

  it("leave the report alone when no threaded implementation ran", () => {
    expect(threadLines(results([{ id: "sgd", sizes: [[4096, [ok("wasm-simd", 1)]]] }]))).toEqual([]);
  });
});
