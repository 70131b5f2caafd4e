import { describe, expect, it } from "vitest";

import { bandwidthKernelSelfTest, createBandwidthKernel, MAX_STREAMS } from "../src/bandwidth.js";
import { createTwoThreadBandwidthKernel } from "../src/bandwidth-threads.js";

describe("bandwidth reference kernel", () => {
  it.each(Array.from({ length: MAX_STREAMS }, (_, i) => i + 1))(
    "rmw%d adds the read-only stream to every written stream",
    (k) => {
      const n = 37; // 9 vectors + 1 remainder element
      const { g, streams } = bandwidthKernelSelfTest(k, n);
      expect(streams).toHaveLength(k);
      streams.forEach((s, j) => s.forEach((v, i) => expect(v).toBe(i * (j + 2) + g[i])));
    },
  );

  it("counts the bytes moved: (1 + 2k) streams", () => {
    const kernel = createBandwidthKernel(3, 4096 * 4);
    kernel.step();
    expect(kernel.bytes).toBe(7 * 4096 * 4);
  });

  it("on two threads moves every element of every stream once a pass, the worker's half too (or the calling thread alone)", async () => {
    const k = 3;
    const nbytes = 4 * 1001; // halves cut at a cache line; a remainder that is not a whole vector
    const one = createBandwidthKernel(k, nbytes);
    const two = await createTwoThreadBandwidthKernel(k, nbytes);
    try {
      for (let pass = 0; pass < 3; pass++) {
        one.step();
        two.oneThread(pass === 1); // the middle pass on the calling thread alone
        two.step();
      }
      for (let j = 0; j <= k; j++) expect(two.read(j)).toEqual(one.read(j));
      expect(new Set(two.read(k))).toEqual(new Set([0x01010101 * 4])); // the initial bytes, plus 3 passes
    } finally {
      two.dispose();
    }
  });
});
