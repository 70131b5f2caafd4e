// Where the bytes go slower than native: a measurement script (bench/README.md, "Where the bytes
// go"), not part of the benchmark or of `npm test`. Run after `npm run build`, with clang and
// wasm-ld installed:
//
//   node bench/investigate/bytes.mjs [--sizes 16M] [--cases adam,momentum] [--threads 1,2]
//
// Every figure is a median of pairs of alternating batches (the benchmark's src/paired.ts), over
// the case's traffic: the bandwidth reference in C (kernels.c, natively) and in Wasm (the bench's
// AssemblyScript-free module, and clang's build of kernels.c), simdopt's kernel, clang's build of
// the same rule, and native C's rule (native/optimizers.c).
import "../dist/src/relaxed-simd.js";

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import { createBandwidthKernel } from "../dist/src/bandwidth.js";
import { createTwoThreadBandwidthKernel } from "../dist/src/bandwidth-threads.js";
import { findCase } from "../dist/src/cases.js";
import { makeData } from "../dist/src/data.js";
import { nativeInput } from "../dist/src/impls/native.js";
import { startNativeServer } from "../dist/src/impls/native-server.js";
import { findImpl } from "../dist/src/impls/registry.js";
import { createWasmStepper } from "../dist/src/impls/wasm.js";
import { pairBatches, pairSizes, timedBatch } from "../dist/src/paired.js";
import { settleHeap } from "../dist/src/settle-heap.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, "kernels.c");
const out = path.join(os.tmpdir(), "simdopt-bench-bytes");
const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return (at < 0 ? fallback : process.argv[at + 1]).split(",");
};
const sizes = flag("--sizes", "16M").map(
  (s) => Number.parseInt(s, 10) * (s.endsWith("M") ? 1 << 20 : s.endsWith("K") ? 1024 : 1),
);
const cases = flag("--cases", "adam,momentum");
const threadCounts = flag("--threads", "1,2").map(Number);
const timing = { timeMs: 1500, minSampleMs: 2, minSamples: 5, maxTaskMs: 15000, slowMinSamples: 3, warmupMs: 50 };

mkdirSync(out, { recursive: true });
const nativeBinary = path.join(out, "kernels");
execFileSync("cc", ["-O3", "-march=native", "-fno-math-errno", "-fopenmp", "-o", nativeBinary, source]);
/** clang's Wasm build of kernels.c: one vector an iteration (clang's default for wasm32), or `interleave`. */
function clangBuild(interleave) {
  const binary = path.join(out, `kernels-${interleave}.wasm`);
  execFileSync("clang", [
    "--target=wasm32",
    "-O3",
    "-msimd128",
    "-nostdlib",
    "-fno-math-errno",
    "-ffp-contract=off",
    "-mllvm",
    `-force-vector-interleave=${interleave}`,
    "-Wl,--no-entry",
    "-Wl,--import-memory",
    "-Wl,--export-dynamic",
    "-o",
    binary,
    source,
  ]);
  return new WebAssembly.Module(readFileSync(binary));
}
const clangModule = clangBuild(1);
const unrolledModule = clangBuild(4);

/** A child in the `serve` protocol of optimizers.c and kernels.c: batches timed on its side. */
function serveChild(binary, args, input) {
  const child = spawn(binary, args, { env: { ...process.env, OMP_PROC_BIND: "false" } });
  let buffered = "";
  const waiting = [];
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      waiting.shift()(Number(buffered.slice(0, end)));
      buffered = buffered.slice(end + 1);
    }
  });
  if (input !== undefined) child.stdin.write(input);
  return {
    batch: (threads) => (steps) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${threads} ${steps}\n`);
      }),
    close: () => child.stdin.end(),
  };
}

/** kernels.c's rmw<k>, natively. */
const cStreams = (k, n) => serveChild(nativeBinary, [`rmw${k}`, String(n), "serve"]);

/** optimizers.c built with 128-bit vectors only (SSE, as Wasm's SIMD128), serving the case. */
const narrowBinary = path.join(out, "optimizers-128");
execFileSync("cc", [
  "-O3",
  "-march=native",
  "-mprefer-vector-width=128",
  "-mno-avx",
  "-fno-math-errno",
  "-fopenmp",
  "-o",
  narrowBinary,
  path.join(here, "../native/optimizers.c"),
  "-lm",
]);
const narrowNative = (c, data) =>
  serveChild(narrowBinary, [c.id, String(data.params.length), "1", "serve"], nativeInput(data));

/** n elements a stream, 64-byte aligned, after the first page, in a fresh memory for clang's module. */
function clangInstance(streams, n, module = clangModule) {
  const stride = Math.ceil((n * 4) / 64) * 64 + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((65536 + streams * stride) / 65536) });
  const pointers = Array.from({ length: streams }, (_, j) => 65536 + j * stride);
  new Uint8Array(memory.buffer).fill(1, 65536); // touch every page, as the bench's reference does
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { memory, pointers, exports: instance.exports };
}

function clangStreams(k, n) {
  const { pointers, exports } = clangInstance(k + 1, n);
  return { step: () => exports[`rmw${k}`](n, ...pointers) };
}

/** clang's build of simdopt's rule with separate rounding, from the case's data and zero state. */
function clangRule(id, data, module = clangModule) {
  const n = data.params.length;
  const { memory, pointers, exports } = clangInstance(id === "adam" ? 4 : 3, n, module);
  const view = (j) => new Float32Array(memory.buffer, pointers[j], n);
  view(0).set(data.params);
  view(1).set(data.grads);
  for (let j = 2; j < pointers.length; j++) view(j).fill(0);
  let t = 0;
  const step =
    id === "adam"
      ? () => {
          t++;
          const [b1, b2] = [0.9, 0.999];
          exports.adam(n, ...pointers, 1 - b1, b2, 1 - b2, Math.sqrt(1 - b2 ** t), 1e-8, -1e-3 / (1 - b1 ** t));
        }
      : () => {
          // torch's first momentum step copies the gradient; from then on the steady-state rule.
          if (t++ === 0) view(2).set(data.grads);
          else exports.momentum(n, ...pointers, 0.9, -1e-3);
          if (t === 1)
            for (let i = 0; i < n; i++)
              view(0)[i] = Math.fround(view(0)[i] + Math.fround(Math.fround(-1e-3) * view(2)[i]));
        };
  return { step, read: () => view(0).slice() };
}

/** clang's rule and simdopt's (separate rounding) agree bit for bit over a few steps, or this throws. */
async function checkClangRule(id, module) {
  const c = findCase(id);
  const data = makeData(4099, "float32");
  const clang = clangRule(id, data, module);
  const simdopt = await createWasmStepper({ binary: "simd", rounding: "separate", threads: 1 }, c, data);
  for (let s = 0; s < 4; s++) {
    clang.step();
    simdopt.step();
  }
  const [a, b] = [clang.read(), simdopt.read()];
  simdopt.dispose();
  const differ = a.findIndex((x, i) => !Object.is(x, b[i]));
  if (differ >= 0) throw new Error(`clang's ${id} differs from simdopt's at ${differ}: ${a[differ]} vs ${b[differ]}`);
}

/** `second`'s speed over `first`'s, paired; with the page faults this process took while timing. */
async function pair(label, first, second, stepMs) {
  const { batch, pairs } = pairSizes(timing, stepMs);
  await settleHeap();
  const faults = process.resourceUsage().minorPageFault;
  const r = await pairBatches(first, second, batch, pairs);
  const f = process.resourceUsage().minorPageFault - faults;
  const cell = `${r.ratio.toFixed(3)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
  console.log(`| ${label} | ${cell} | ${pairs} × ${batch} | ${f} |`);
  return r;
}

/** One step's time, roughly, to size the batches. */
function roughMs(step) {
  step();
  const start = performance.now();
  for (let k = 0; k < 3; k++) step();
  return (performance.now() - start) / 3;
}

console.log(
  "| pair (first → second: second's speed ÷ first's) | median (min–max) | pairs × batch | page faults here |",
);
console.log("|---|--:|--:|--:|");
for (const id of cases) {
  await checkClangRule(id, clangModule);
  await checkClangRule(id, unrolledModule);
  const c = findCase(id);
  for (const n of sizes) {
    const data = makeData(n, "float32");
    const size = `${id} ${n >= 1 << 20 ? `${n >> 20}M` : `${n >> 10}K`}`;
    const cBw = cStreams(c.written, n);
    const native = await startNativeServer(c, data);
    try {
      if (threadCounts.includes(1)) {
        const asBw = createBandwidthKernel(c.written, n * 4);
        const bwMs = roughMs(asBw.step);
        await pair(`${size}: C streams → Wasm streams (bench's module)`, cBw.batch(1), timedBatch(asBw), bwMs);
        const clangBw = clangStreams(c.written, n);
        await pair(`${size}: Wasm streams → clang's Wasm streams`, timedBatch(asBw), timedBatch(clangBw), bwMs);
        const simdopt = await createWasmStepper({ binary: "simd", threads: 1 }, c, data);
        const ruleMs = roughMs(simdopt.step);
        await pair(`${size}: Wasm streams → simdopt`, timedBatch(asBw), timedBatch(simdopt), bwMs);
        await pair(`${size}: C streams → native C rule`, cBw.batch(1), (s) => native.batch(1, s), bwMs);
        await pair(`${size}: native C → simdopt`, (s) => native.batch(1, s), timedBatch(simdopt), ruleMs);
        const narrow = narrowNative(c, data);
        await pair(
          `${size}: native C → native C in 128-bit vectors (-mno-avx)`,
          (s) => native.batch(1, s),
          narrow.batch(1),
          ruleMs,
        );
        await pair(`${size}: native C in 128-bit vectors → simdopt`, narrow.batch(1), timedBatch(simdopt), ruleMs);
        narrow.close();
        simdopt.dispose();
        const separate = await createWasmStepper({ binary: "simd", rounding: "separate", threads: 1 }, c, data);
        const clang = clangRule(id, data);
        await pair(
          `${size}: simdopt (separate rounding) → clang's Wasm, same arithmetic`,
          timedBatch(separate),
          timedBatch(clang),
          ruleMs,
        );
        const unrolled = clangRule(id, data, unrolledModule);
        await pair(
          `${size}: clang's Wasm → the same, four vectors an iteration`,
          timedBatch(clang),
          timedBatch(unrolled),
          ruleMs,
        );
        const fused = await createWasmStepper({ binary: "simd", threads: 1 }, c, data);
        await pair(
          `${size}: simdopt (separate) → simdopt (fused, default)`,
          timedBatch(separate),
          timedBatch(fused),
          ruleMs,
        );
        fused.dispose();
        separate.dispose();
      }
      if (threadCounts.includes(2)) {
        const asBw2 = await createTwoThreadBandwidthKernel(c.written, n * 4);
        const bwMs = roughMs(asBw2.step);
        await pair(`${size} 2t: C streams → Wasm streams`, cBw.batch(2), timedBatch(asBw2), bwMs);
        await pair(`${size} 2t: C streams → native C rule`, cBw.batch(2), (s) => native.batch(2, s), bwMs);
        const threads = await findImpl("wasm-simd-threads").setup(c, data);
        await pair(`${size} 2t: Wasm streams → simdopt`, timedBatch(asBw2), timedBatch(threads), bwMs);
        await pair(
          `${size} 2t: native C → simdopt`,
          (s) => native.batch(2, s),
          timedBatch(threads),
          roughMs(threads.step),
        );
        threads.dispose();
        asBw2.dispose();
      }
    } finally {
      cBw.close();
      native.close();
    }
  }
}
