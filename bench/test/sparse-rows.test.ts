import { describe, expect, it } from "vitest";

import { parseArgs, TIMING } from "../src/args.js";
import { runSparseRows, SPARSE_TABLE, TOUCHED_FRACTIONS } from "../src/sparse-rows.js";

describe("sparse case", () => {
  it("steps a 1M x 64 table at 0.1% and 1% of rows touched", () => {
    expect(SPARSE_TABLE).toEqual({ rows: 1 << 20, dim: 64 });
    expect(TOUCHED_FRACTIONS).toEqual([0.001, 0.01]);
  });

  it("runs in the profiles and not in narrowed runs, unless asked; its table can shrink", () => {
    const parsed = (argv: string[]) => {
      const r = parseArgs(argv);
      if (r.help) throw new Error("help");
      return r;
    };
    expect(parsed([]).sparseRows).toBe(true);
    expect(parsed(["--sizes", "1K"]).sparseRows).toBe(false);
    expect(parsed(["--sizes", "1K", "--sparse-rows", "--sparse-table-rows", "4K"]).sparseTableRows).toBe(4096);
    expect(() => parseArgs(["--sparse-rows", "--no-sparse-rows"])).toThrow(/contradict/);
  });

  it("times each sparse step against the dense one on a small table, with bytes and per-row figures", async () => {
    const timing = {
      ...TIMING.quick,
      warmupMs: 1,
      minSampleMs: 1,
      minSamples: 3,
      slowMinSamples: 2,
      timeMs: 1,
      maxTaskMs: 50,
    };
    const results = await runSparseRows(timing, () => {}, { rows: 4096, dim: 64 });
    expect(results.map((r) => [r.optimizer, r.dense, r.touchedRows])).toEqual([
      ["SparseAdam", "Adam", 4],
      ["SparseAdam", "Adam", 41],
      ["Adagrad (sparse)", "Adagrad", 4],
      ["Adagrad (sparse)", "Adagrad", 41],
      ["SGD (sparse)", "SGD", 4],
      ["SGD (sparse)", "SGD", 41],
    ]);
    for (const r of results) {
      expect(r.sparseBytes).toBe(
        r.touchedRows * (4 * 64 * (r.dense === "Adam" ? 7 : r.dense === "Adagrad" ? 5 : 3) + 4),
      );
      expect(r.denseBytes).toBeGreaterThan(r.sparseBytes);
      expect(r.speedup).toBeGreaterThan(0);
      expect(r.nsPerTouchedRow).toBeGreaterThan(0);
      expect(r.nsPerCachedRow).toBeGreaterThan(0);
      expect(r.nsPerCachedSparseRow).toBeGreaterThan(0);
    }
  }, 60_000);
});
