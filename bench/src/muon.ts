/**
 * The Muon case: one step of torch.optim.Muon's defaults on a rows × cols float32 matrix (1024 ×
 * 1024 by default), timed on one thread and on two, with its matrix-multiply rate (the
 * Newton–Schulz products' floating-point operations over the whole step's time, so a lower bound
 * of the multiply's own rate) beside OpenBLAS's single-precision GEMM on the same shapes in the same
 * run (native/gemm.c, built here against the system's libopenblas; skipped with the reason where
 * there is none). Before timing, simdopt's step is checked bit for bit against its reference
 * binary on a 67 × 45 matrix (the reference is plain JS: too slow for the large one).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadRuntime, Muon } from "simdopt";

import type { TimingSettings } from "./args.js";
import { measure, type Measurement } from "./timing.js";

export interface MuonShape {
  rows: number;
  cols: number;
}

export interface MuonThreadResult {
  threads: number;
  step: Measurement;
  /** The Newton–Schulz products' GFLOP per step over the median step time. */
  gflops: number;
  /** OpenBLAS's rate on the same products with as many threads, or why there is none. */
  openblasGflops: number | null;
  /** simdopt's rate over OpenBLAS's. */
  vsOpenblas: number | null;
  /** This row's rate over the first row's (one thread). */
  vsOneThread: number;
}

export interface MuonResult extends MuonShape {
  nsSteps: number;
  flopsPerStep: number;
  results: MuonThreadResult[];
  openblas: string;
}

/** Floating-point operations of one step's products: per NS step X·Xᵀ and N·X (2k²K each) and M·M (2k³). */
export function muonFlops({ rows, cols }: MuonShape, nsSteps: number): number {
  const k = Math.min(rows, cols);
  const K = Math.max(rows, cols);
  return nsSteps * (4 * k * k * K + 2 * k * k * k);
}

function values(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** Three steps of a small matrix on `binary` (the default one, or the reference): the parameter after them. */
async function smallRun(binary: "auto" | "reference"): Promise<Float32Array> {
  const runtime = await loadRuntime({ binary, threads: 1 });
  const shape = { rows: 67, cols: 45 };
  const p = runtime.parameter(values(shape.rows * shape.cols, 1), { shape: [shape.rows, shape.cols] });
  const muon = new Muon([p], { lr: 0.02 });
  for (let s = 0; s < 3; s++) {
    p.setGrad(values(shape.rows * shape.cols, 2 + s));
    muon.step();
  }
  const out = Float32Array.from(p.data);
  muon.dispose();
  p.dispose();
  return out;
}

/** Throws unless simdopt's Muon step equals its reference's to the last bit. */
export async function checkMuon(): Promise<void> {
  const [wasm, reference] = await Promise.all([smallRun("auto"), smallRun("reference")]);
  const differ = wasm.findIndex((x, i) => !Object.is(x, reference[i]));
  if (differ !== -1)
    throw new Error(`Muon: element ${differ} is ${wasm[differ]}, the reference's ${reference[differ]}`);
}

// native/gemm.c, from src (run from source) or dist/src (built).
const GEMM_SOURCE =
  ["../native/gemm.c", "../../native/gemm.c"]
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((candidate) => existsSync(candidate)) ?? "native/gemm.c (not found beside the bench)";

/** Builds native/gemm.c against libopenblas: the binary's path, or why there is none. */
export function buildGemm(): string | { binary: string } {
  if (!existsSync(GEMM_SOURCE)) return `the C source ${GEMM_SOURCE} is missing`;
  const dir = path.join(os.tmpdir(), "simdopt-bench-native");
  mkdirSync(dir, { recursive: true });
  const binary = path.join(dir, "gemm-openblas");
  for (const cc of ["cc", "gcc", "clang"]) {
    try {
      execFileSync(cc, ["-O2", "-o", binary, GEMM_SOURCE, "-lopenblas"], { stdio: "pipe" });
      return { binary };
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? "";
      if ((e as { code?: string }).code === "ENOENT") continue; // no such compiler: try the next
      return `OpenBLAS not available (${cc}: ${stderr.trim().split("\n")[0] ?? String(e)}); install libopenblas-dev to compare`;
    }
  }
  return "no C compiler (cc, gcc or clang): OpenBLAS comparison skipped";
}

/** OpenBLAS's GFLOP/s on one NS step's products of `shape` with `threads` threads. */
function openblasRate(binary: string, shape: MuonShape, threads: number, repeats: number): number {
  const out = execFileSync(binary, [String(shape.rows), String(shape.cols), String(threads), String(repeats)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads) },
  });
  const { ms, flops } = JSON.parse(out.toString()) as { ms: number; flops: number };
  return flops / (ms * 1e6);
}

/** Times Muon's step on `shape` with each thread count, beside OpenBLAS. */
export async function runMuon(
  timing: TimingSettings,
  shape: MuonShape,
  threadCounts: readonly number[],
  onPhase: (label: string) => void = () => {},
): Promise<MuonResult> {
  onPhase("checking Muon against the reference");
  await checkMuon();
  const gemm = buildGemm();
  const nsSteps = 5;
  const flopsPerStep = muonFlops(shape, nsSteps);
  const results: MuonThreadResult[] = [];
  for (const threads of threadCounts) {
    onPhase(`Muon ${shape.rows} x ${shape.cols}, ${threads} thread${threads === 1 ? "" : "s"}: timing`);
    const n = shape.rows * shape.cols;
    const runtime = await loadRuntime({ threads, initialMemory: 8 * 4 * n + (64 << 20) });
    const p = runtime.parameter(values(n, 1), { shape: [shape.rows, shape.cols] }).setGrad(values(n, 2));
    const muon = new Muon([p]);
    const step = measure(() => muon.step(), timing);
    muon.dispose();
    p.dispose();
    runtime.close();
    const gflops = flopsPerStep / (step.medianMs * 1e6);
    onPhase(`OpenBLAS, ${threads} thread${threads === 1 ? "" : "s"}`);
    const openblasGflops = typeof gemm === "string" ? null : openblasRate(gemm.binary, shape, threads, 5);
    results.push({
      threads,
      step,
      gflops,
      openblasGflops,
      vsOpenblas: openblasGflops === null ? null : gflops / openblasGflops,
      vsOneThread: results.length === 0 ? 1 : gflops / results[0].gflops,
    });
  }
  return {
    ...shape,
    nsSteps,
    flopsPerStep,
    results,
    openblas: typeof gemm === "string" ? gemm : "libopenblas (cblas_sgemm), built at bench time",
  };
}

/** The markdown table of a Muon result. */
export function muonLines(r: MuonResult): string[] {
  const fixed = (x: number | null, digits: number) => (x === null ? "n/a" : x.toFixed(digits));
  return [
    `## Muon, ${r.rows} x ${r.cols} (float32, ${r.nsSteps} Newton–Schulz steps, ${(r.flopsPerStep / 1e9).toFixed(1)} GFLOP of products per step)`,
    "",
    "| threads | step (ms, median) | simdopt GFLOP/s | OpenBLAS sgemm GFLOP/s | x OpenBLAS | x one thread |",
    "|---:|---:|---:|---:|---:|---:|",
    ...r.results.map(
      (t) =>
        `| ${t.threads} | ${t.step.medianMs.toFixed(1)} | ${t.gflops.toFixed(2)} | ${fixed(t.openblasGflops, 2)} | ${fixed(t.vsOpenblas, 3)} | ${t.vsOneThread.toFixed(2)} |`,
    ),
    "",
    `OpenBLAS: ${r.openblas}.`,
  ];
}
