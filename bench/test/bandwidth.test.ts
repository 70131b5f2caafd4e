import { describe, expect, it } from "vitest";

import { bandwidthKernelSelfTest, createBandwidthKernel, MAX_STREAMS } from "../src/bandwidth.js";

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
});
