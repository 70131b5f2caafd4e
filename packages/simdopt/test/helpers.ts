import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findDeno as findDenoFrom } from "../../../scripts/find-deno.mjs";
import { expect } from "vitest";
import { loadRuntime, type Optimizer, type Parameter, type Rounding, type Runtime } from "../dist/index.js";

/** The repository's copy of the golden vectors (golden/ at its root). */
export const GOLDEN_COPY_DIR = fileURLToPath(new URL("../../../golden/", import.meta.url));

/** Where the golden vectors come from: ../shared/golden beside the repository (it may be absent). */
export const GOLDEN_SOURCE_DIR = fileURLToPath(new URL("../../../../shared/golden/", import.meta.url));

/** The golden vectors the tests run: $SIMDOPT_GOLDEN, or the repository's copy. */
export const GOLDEN_DIR = process.env.SIMDOPT_GOLDEN ?? GOLDEN_COPY_DIR;

/**
 * Folders of ../shared/golden that the repository does not carry (24 MB of data): tests read them
 * from ../shared/golden (or $SIMDOPT_GOLDEN) where it is present, and say that they skipped them
 * where it is not.
 */
export const GOLDEN_NOT_CARRIED = ["frontier", "lowbit"] as const;

/**
 * The folder `name` of the golden vectors that the repository does not carry: under $SIMDOPT_GOLDEN,
 * or ../shared/golden; undefined (with a line saying which tests are skipped) where it is absent.
 */
export function sharedGoldenFolder(name: (typeof GOLDEN_NOT_CARRIED)[number], skipped: string): string | undefined {
  const dir = join(process.env.SIMDOPT_GOLDEN ?? GOLDEN_SOURCE_DIR, name);
  if (existsSync(dir)) return dir;
  console.warn(`skipped: ${skipped}: ${dir} is not there (it comes with ../shared beside the repository)`);
  return undefined;
}

/** Deterministic pseudo-random numbers in [-1, 1) (a 32-bit LCG): tests need no seed handling. */
export function randomArray(length: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/**
 * Gradients like the golden files': every 7th entry exactly 0, every 5th step 50 times larger,
 * signs that change from step to step (so that Rprop sees flips).
 */
export function gradientsFor(length: number, step: number, seed: number): number[] {
  const scale = step % 5 === 4 ? 50 : 1;
  return randomArray(length, seed * 7919 + step).map((g, i) => (i % 7 === 0 ? 0 : g * scale));
}

/** A runtime of each binary (the reference first, then scalar and SIMD) for each rounding. */
export async function runtimesByRounding(): Promise<Record<Rounding, Runtime[]>> {
  const load = (rounding: Rounding) =>
    Promise.all((["reference", "scalar", "simd"] as const).map((binary) => loadRuntime({ binary, rounding })));
  return { separate: await load("separate"), fused: await load("fused") };
}

/**
 * Steps seeded tensors of `lengths` (gradientsFor) `steps` times with the optimizer `make` builds,
 * and returns each parameter's values and its state buffers named `buffers` (as stored: bfloat16
 * words, codes) after every step; disposes of all of it.
 */
export function stepsSeen(
  runtime: Runtime,
  make: (params: Parameter[]) => Optimizer<object>,
  lengths: readonly number[],
  steps: number,
  buffers: readonly string[],
): number[][] {
  const params = lengths.map((n, k) => runtime.parameter(randomArray(n, 31 + k)));
  const optimizer = make(params);
  const raw = optimizer as unknown as { rawStateView(param: Parameter, name: string): ArrayLike<number> | undefined };
  const seen: number[][] = [];
  for (let step = 0; step < steps; step++) {
    params.forEach((param, k) => param.setGrad(gradientsFor(param.length, step, 3 + k)));
    optimizer.step();
    params.forEach((param) => {
      seen.push(Array.from(param.data));
      for (const name of buffers) {
        const view = raw.rawStateView(param, name);
        if (view !== undefined) seen.push(Array.from(view));
      }
    });
  }
  optimizer.dispose();
  for (const param of params) param.dispose();
  return seen;
}

/** Expects every run of `stepsSeen` to be the first's, bit for bit (`labels` name the runs). */
export function expectSameAsFirst(runs: readonly number[][][], labels: readonly string[]): void {
  const [first, ...others] = runs;
  others.forEach((seen, r) => {
    expect(seen.length).toBe(first.length);
    seen.forEach((values, k) => {
      const at = firstDifference(values, first[k]);
      expect(at, `${labels[r + 1]} differs from ${labels[0]} in array ${k} at ${at}`).toBe(-1);
    });
  });
}

/** Index of the first element that differs bit for bit (any NaN equals any NaN), or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

/** The deno binary of the `deno` npm package, found without its install script having run. */
export function findDeno(): string | undefined {
  return findDenoFrom(fileURLToPath(new URL("..", import.meta.url)));
}

/** The runtime's internal allocator figures: bytes in live blocks, and the end of the highest block. */
export function memoryUse(runtime: object): { liveBytes: number; highWater: number } {
  return (runtime as { memoryUse: { liveBytes: number; highWater: number } }).memoryUse;
}

/**
 * A stateDict()'s per-parameter state as the torch port keeps it: in parameter order, camelCase
 * slot names, tensors as typed arrays (JSON encodings of non-finite values decoded).
 */
export function decodedState(dict: { state: Record<string, Record<string, unknown>> }): Record<string, unknown>[] {
  const special: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };
  const number = (x: unknown) => (typeof x === "string" ? special[x] : (x as number));
  return Object.values(dict.state).map((entry) =>
    Object.fromEntries(
      Object.entries(entry).map(([name, value]) => {
        const camel = name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
        if (value !== null && typeof value === "object" && "data" in value) {
          const tensor = value as { dtype: string; data: unknown[] };
          const View = tensor.dtype === "float32" ? Float32Array : Float64Array;
          return [camel, (View as typeof Float64Array).from(tensor.data, number)];
        }
        return [camel, number(value)];
      }),
    ),
  );
}

/** Sets the bytes that disposed parameters' blocks wait in quarantine before reuse (internal). */
export function setQuarantine(runtime: object, bytes: number): void {
  (runtime as { quarantineBytes: number }).quarantineBytes = bytes;
}
