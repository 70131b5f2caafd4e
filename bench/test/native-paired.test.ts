import { describe, expect, it } from "vitest";

import { TIMING } from "../src/args.js";
import { findCase } from "../src/cases.js";
import { makeData } from "../src/data.js";
import { startNativeServer } from "../src/impls/native-server.js";
import { NATIVE_PAIRS, pairNative } from "../src/native-paired.js";
import type { BandwidthResult, ImplResult } from "../src/run.js";

const tiny = { ...TIMING.quick, timeMs: 0.5, minSampleMs: 0.01 }; // 5 pairs of 8 steps
const ok = (impl: string): ImplResult => ({ impl, status: "ok", medianMs: 0.01 });
const bandwidth = { medianMs: 0.01, twoThreads: null } as BandwidthResult;

describe("native C against simdopt, in pairs", () => {
  const c = findCase("momentum");
  const data = makeData(5000, "float32");

  it("a native server answers each batch with its time, on one or two threads, and ends with its input", async () => {
    const server = await startNativeServer(c, data);
    const times = [await server.batch(1, 8), await server.batch(2, 8), await server.batch(1, 1)];
    for (const ms of times) expect(ms).toBeGreaterThanOrEqual(0);
    server.close();
    await expect(server.batch(1, 8)).rejects.toThrow(/closed/);
  });

  it("pairs every subject whose sides ran with its native implementation, and none without native", async () => {
    const all = ["wasm-simd", "wasm-simd-threads", "native", "native-2t"].map(ok);
    const pairs = await pairNative(c, data, all, bandwidth, tiny, () => {});
    expect(Object.keys(pairs!)).toEqual(NATIVE_PAIRS.map((p) => p.subject));
    for (const p of Object.values(pairs!)) {
      expect(p.pairs).toBe(5);
      expect(p.ratio).toBeGreaterThan(0);
      expect(p.min).toBeLessThanOrEqual(p.q1);
      expect(p.q1).toBeLessThanOrEqual(p.ratio);
      expect(p.ratio).toBeLessThanOrEqual(p.q3);
      expect(p.q3).toBeLessThanOrEqual(p.max);
    }

    // Only native on one thread, and wasm-simd refused by the gate: only the bandwidth reference pairs.
    const oneThread = [{ impl: "wasm-simd", status: "n/a" } as ImplResult, ok("wasm-simd-threads"), ok("native")];
    const announced: string[] = [];
    const some = await pairNative(c, data, oneThread, bandwidth, tiny, (s, n) => announced.push(`${s}/${n}`));
    expect(Object.keys(some!)).toEqual(["bandwidth"]);
    expect(announced).toEqual(["bandwidth/native"]);

    expect(await pairNative(c, data, [ok("wasm-simd")], bandwidth, tiny, () => {})).toBeNull();
  });
});
