/**
 * `native` and `native-2t`: torch.optim's float32 formulas as plain C loops (native/optimizers.c),
 * the ceiling a WebAssembly implementation is measured against: built at bench time with the
 * system's C compiler (cc, gcc or clang; -O3 -march=native -fno-math-errno, OpenMP for threads)
 * into a temporary directory, and "n/a" with the reason when there is no compiler. Nothing is
 * downloaded.
 *
 * Node cannot call C, so the C program runs as a child process on the same data: for the gate, it
 * takes the steps this stepper was asked for and returns the parameters; for timing, it runs the
 * same warm-up and sampling as timing.ts around its own loop and reports the statistics, so no
 * process boundary is inside the timed region. The ratios the report gives against it come from
 * batches timed in pairs with a long-lived child of the same program (native-server.ts).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { TimingSettings } from "../args.js";
import type { BenchCase, Dtype } from "../cases.js";
import type { BenchData } from "../data.js";
import type { Measurement } from "../timing.js";
import type { Impl, Stepper } from "./types.js";

/** The cases the C program implements (see optimizers.c for their options). */
export const NATIVE_CASES: Readonly<Record<string, Record<string, unknown>>> = {
  sgd: { lr: 1e-3 },
  momentum: { lr: 1e-3, momentum: 0.9 },
  adam: { lr: 1e-3 },
  adamw: { lr: 1e-3, weightDecay: 1e-2 },
  adamax: { lr: 2e-3 },
  radam: { lr: 1e-3 },
  adagrad: { lr: 1e-2 },
  adadelta: { lr: 1.0 },
  rmsprop: { lr: 1e-2 },
  lion: { lr: 1e-4, weightDecay: 0.1 },
};

// bench/native/optimizers.c, from src/impls (run from source) or dist/src/impls (built).
const SOURCE =
  ["../../native/optimizers.c", "../../../native/optimizers.c"]
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((candidate) => existsSync(candidate)) ?? "native/optimizers.c (not found beside the bench)";
const FLAGS = ["-O3", "-march=native", "-fno-math-errno"];

interface Build {
  binary: string;
  compiler: string;
  openmp: boolean;
}

let build: Promise<Build | string> | undefined;

/** Compiles optimizers.c once per process (cached on disk by source and flags): the build or why not. */
export function buildNative(): Promise<Build | string> {
  build ??= (async () => {
    if (!existsSync(SOURCE)) return `the C source ${SOURCE} is missing`;
    const source = readFileSync(SOURCE);
    const compiler = ["cc", "gcc", "clang"].find((cc) => {
      try {
        execFileSync(cc, ["--version"], { stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    });
    if (compiler === undefined) return "no C compiler (cc, gcc or clang) on this machine: native reference skipped";
    const key = createHash("sha256").update(source).update(compiler).update(FLAGS.join(" ")).digest("hex").slice(0, 16);
    const dir = path.join(os.tmpdir(), "simdopt-bench-native", key);
    mkdirSync(dir, { recursive: true });
    for (const openmp of [true, false]) {
      const binary = path.join(dir, openmp ? "optimizers-omp" : "optimizers");
      if (existsSync(binary)) return { binary, compiler, openmp };
      try {
        execFileSync(compiler, [...FLAGS, ...(openmp ? ["-fopenmp"] : []), "-o", binary, SOURCE, "-lm"], {
          stdio: "pipe",
        });
        return { binary, compiler, openmp };
      } catch (e) {
        if (!openmp)
          return `${compiler} failed to build native/optimizers.c: ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e)}`;
      }
    }
    return "unreachable";
  })();
  return build;
}

/** The C program's input: the parameters, then the gradients, as float32. */
export function nativeInput(data: BenchData): Buffer {
  const bytes = Buffer.alloc(data.params.length * 8);
  Buffer.from(data.params.buffer, data.params.byteOffset, data.params.byteLength).copy(bytes, 0);
  Buffer.from(data.grads.buffer, data.grads.byteOffset, data.grads.byteLength).copy(bytes, data.params.byteLength);
  return bytes;
}

function createNativeStepper(native: Build, threads: number, c: BenchCase, data: BenchData): Stepper {
  const stdin = nativeInput(data);
  const n = String(data.params.length);
  const run = (args: string[]) =>
    execFileSync(native.binary, [c.id, n, String(threads), ...args], {
      input: stdin,
      maxBuffer: stdin.length + (1 << 20),
      env: { ...process.env, OMP_PROC_BIND: "false" },
    });
  let steps = 0;
  return {
    step: () => void steps++,
    read: () => {
      const out = run(["gate", String(steps)]);
      return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
    },
    measureSelf(t: TimingSettings): Measurement {
      const out = run([
        "time",
        ...[t.warmupMs, t.minSampleMs, t.timeMs, t.minSamples, t.maxTaskMs, t.slowMinSamples].map(String),
      ]);
      const r = JSON.parse(out.toString()) as Record<string, number>;
      return {
        medianMs: r.medianMs,
        minMs: r.minMs,
        maxMs: r.maxMs,
        meanMs: r.meanMs,
        samples: r.samples,
        batch: r.batch,
        tinybench: { time: r.time, iterations: r.iterations, warmup: false },
        warmupSteps: r.warmupSteps,
      };
    },
    dispose: () => {},
  };
}

/** The native implementation on `threads` threads. */
export function nativeImpl(id: string, threads: number): Impl {
  return {
    id,
    check: "tolerance",
    referenceRounding: "fused",
    async unavailable(c: BenchCase, dtype: Dtype) {
      const native = await buildNative();
      if (typeof native === "string") return native;
      if (threads > 1 && !native.openmp) return `${native.compiler} has no OpenMP: one thread only`;
      if (!(c.id in NATIVE_CASES) || JSON.stringify(NATIVE_CASES[c.id]) !== JSON.stringify(c.options)) {
        return `no native kernel for ${c.id} ${JSON.stringify(c.options)} (native: ${Object.keys(NATIVE_CASES).join(", ")})`;
      }
      if (dtype !== "float32") return "native kernels are float32 only";
      return null;
    },
    async setup(c, data) {
      const native = await buildNative();
      if (typeof native === "string") throw new Error(native);
      return createNativeStepper(native, threads, c, data);
    },
    async describe() {
      const native = await buildNative();
      return typeof native === "string"
        ? { library: "native C", error: native }
        : {
            library: "native C",
            compiler: native.compiler,
            flags: [...FLAGS, ...(native.openmp ? ["-fopenmp"] : [])],
            threads,
          };
    },
  };
}
