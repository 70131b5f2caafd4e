// The Muon case's arithmetic and its check, without timing anything.
import { expect, test } from "vitest";
import { buildGemm, checkMuon, muonFlops, muonLines } from "../src/muon.js";

test("a Newton–Schulz step multiplies k×K by K×k, k×k by k×k and k×k by k×K (k = min, K = max)", () => {
  expect(muonFlops({ rows: 1024, cols: 1024 }, 5)).toBe(5 * 6 * 1024 ** 3);
  expect(muonFlops({ rows: 300, cols: 100 }, 1)).toBe(4 * 100 * 100 * 300 + 2 * 100 ** 3);
  expect(muonFlops({ rows: 100, cols: 300 }, 2)).toBe(muonFlops({ rows: 300, cols: 100 }, 2));
});

test("the bench's Muon step is the reference's to the last bit", async () => {
  await expect(checkMuon()).resolves.toBeUndefined();
});

test("OpenBLAS is built where present, or the reason why not is given", () => {
  const gemm = buildGemm();
  if (typeof gemm === "string") expect(gemm).toMatch(/OpenBLAS|compiler|missing/);
  else expect(gemm.binary).toMatch(/gemm-openblas$/);
});

test("the table says n/a where OpenBLAS is missing", () => {
  const step = { medianMs: 2000, minMs: 1, maxMs: 3, meanMs: 2, samples: 3, batch: 1 } as never;
  const lines = muonLines({
    rows: 1024,
    cols: 1024,
    nsSteps: 5,
    flopsPerStep: muonFlops({ rows: 1024, cols: 1024 }, 5),
    openblas: "OpenBLAS not available",
    results: [{ threads: 1, step, gflops: 16.1, openblasGflops: null, vsOpenblas: null, vsOneThread: 1 }],
  });
  expect(lines).toContain("| 1 | 2000.0 | 16.10 | n/a | n/a | 1.00 |");
  expect(lines.at(-1)).toBe("OpenBLAS: OpenBLAS not available.");
});
