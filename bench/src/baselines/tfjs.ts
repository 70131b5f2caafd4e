/**
 * TF.js baseline for the simdopt benchmark: the same optimizer update done by
 * TensorFlow.js (`@tensorflow/tfjs-core` optimizers) on its pure-JS CPU backend
 * (`tfjs-cpu`) and on its WebAssembly backend (`tfjs-wasm`, XNNPACK, SIMD build).
 *
 * SPEED ONLY. TF.js's optimizer formulas are not torch.optim's, so results are
 * NOT expected to match simdopt / torch numerically and must not be used for
 * conformance. Known differences (TF.js 4.22):
 *  - Default epsilon is the backend epsilon 1e-7 (torch: 1e-8 / 1e-6 / 1e-10); we
 *    pass the torch value explicitly where TF.js takes one.
 *  - Adagrad: the accumulator starts at `initialAccumulatorValue` (TF.js default
 *    0.1, torch default 0; we pass the torch default 0), epsilon sits INSIDE the
 *    square root (g / sqrt(acc + 1e-7), torch: g / (sqrt(acc) + eps)), epsilon is
 *    not configurable, and there is no lr_decay.
 *  - Adadelta: the update uses the accumulated squared gradient from BEFORE this
 *    step (torch uses the updated one).
 *  - RMSprop: the momentum buffer accumulates lr * g / sqrt(ms + eps) (lr inside
 *    the buffer, eps inside the sqrt; torch: buf = m*buf + g / (sqrt(ms) + eps),
 *    p -= lr*buf); centered uses sqrt(ms - (mg^2 + eps)). TF.js always allocates
 *    and updates the momentum buffer, even for momentum 0. Because eps is
 *    subtracted inside the sqrt, centered RMSprop yields NaN where
 *    ms - mg^2 < eps (e.g. gradients near 0), unlike torch.
 *  - Adam/Adamax: eps is added to sqrt(v_hat) (Adam) / u (Adamax) after bias
 *    correction of both moments, close to torch but not bit-identical.
 *  - Momentum (= torch SGD with momentum, dampening 0, no nesterov): the buffer
 *    starts at 0 so the first step equals torch's buf = g; same form otherwise.
 *  - No weight decay, amsgrad, maximize, nesterov, ... options are used here.
 *
 * Defaults for unset options are torch.optim's (so that "the same config" means
 * the same numbers as simdopt's torch-style options), except where TF.js needs a
 * value torch does not have:
 *  - sgd:      lr 1e-3 (torch >= 2.0 default). If momentum > 0 it runs as 'momentum'.
 *  - momentum: lr 1e-3, momentum 0.9 (torch's default is 0, which is plain sgd).
 *  - adagrad:  lr 1e-2, initialAccumulatorValue 0 (eps fixed at 1e-7 by TF.js).
 *  - adadelta: lr 1.0, rho 0.9, eps 1e-6.
 *  - adam:     lr 1e-3, betas [0.9, 0.999], eps 1e-8.
 *  - adamax:   lr 2e-3, betas [0.9, 0.999], eps 1e-8.
 *  - rmsprop:  lr 1e-2, alpha 0.99, eps 1e-8, momentum 0, centered false.
 *
 * Threads: @tensorflow/tfjs-backend-wasm hard-codes WASM_HAS_MULTITHREAD_SUPPORT
 * to false under Node (tfjs issue #3830), so the single-threaded SIMD binary is
 * used. Forcing the flag makes the backend init fail on Node 20 (its pthread
 * workers are created from blob: URLs, which node:worker_threads rejects with
 * ERR_WORKER_PATH), so we do not try. Element-wise ops (all an optimizer uses)
 * are single-threaded loops in that backend anyway.
 *
 * Warnings: initTfjs() sets the TF.js flag PROD=true, which only silences
 * TF.js's console warnings (e.g. the cpu backend's "install tfjs-node" notice);
 * it does not change any computation.
 */
import { createRequire } from "node:module";
import path from "node:path";

import * as tf from "@tensorflow/tfjs-core";
// Side-effect import: registers the 'cpu' backend.
import "@tensorflow/tfjs-backend-cpu";
// Registers the 'wasm' backend on import.
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export type TfjsBackend = "tfjs-cpu" | "tfjs-wasm";
export type TfjsOptimizerName = "sgd" | "momentum" | "adagrad" | "adadelta" | "adam" | "adamax" | "rmsprop";

/** Torch-style options as simdopt uses them (camelCase): lr, momentum, betas [b1,b2], eps, rho, alpha, initialAccumulatorValue, centered. Unset => torch.optim defaults (see the table at the top of this file). */
export interface TfjsOptions {
  lr?: number;
  momentum?: number;
  betas?: [number, number];
  eps?: number;
  rho?: number;
  alpha?: number;
  initialAccumulatorValue?: number;
  centered?: boolean;
}

export interface TfjsStepper {
  /** one optimizer update applying the (fixed) gradient to the variable; synchronous as far as TF.js allows */
  step(): void;
  /** current parameter values (copy) */
  read(): Float32Array;
  dispose(): void;
}

export interface TfjsInfo {
  backend: TfjsBackend;
  /** @tensorflow/tfjs-core version (the three packages are released in lockstep). */
  version: string;
  /** true when the SIMD Wasm binary was loaded (always false for tfjs-cpu, which is plain JS). */
  simd: boolean;
  /** false when single-threaded, else the XNNPACK thread count. */
  threads: boolean | number;
}

export const TFJS_OPTIMIZERS: readonly TfjsOptimizerName[] = Object.freeze([
  "sgd",
  "momentum",
  "adagrad",
  "adadelta",
  "adam",
  "adamax",
  "rmsprop",
] as const);

const TF_BACKEND_NAME: Record<TfjsBackend, "cpu" | "wasm"> = {
  "tfjs-cpu": "cpu",
  "tfjs-wasm": "wasm",
};

let wasmPathsSet = false;

/** The tfjs-backend-wasm `dist` folder (holds the .wasm binaries) as a filesystem path ending in a separator. */
function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  // The package has no "exports" map, so package.json is resolvable.
  const pkgJson = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  return path.join(path.dirname(pkgJson), "dist") + path.sep;
}

function isTfjsBackend(b: string): b is TfjsBackend {
  return Object.hasOwn(TF_BACKEND_NAME, b);
}

/** Initialises the backend once (idempotent; tf.setBackend + tf.ready) and makes it the active one. */
export async function initTfjs(backend: TfjsBackend): Promise<TfjsInfo> {
  if (!isTfjsBackend(backend)) throw new Error(`initTfjs: unknown backend ${String(backend)}`);
  const name = TF_BACKEND_NAME[backend];
  // Only silences console warnings; see the header comment.
  tf.env().set("PROD", true);
  if (name === "wasm" && !wasmPathsSet) {
    // Must happen before the wasm backend is first initialised. A plain path
    // prefix: Emscripten reads the binary with fs in Node.
    setWasmPaths(wasmDistDir());
    wasmPathsSet = true;
  }
  // setBackend initialises a backend only the first time; afterwards it just
  // switches the active backend (cheap), so calling initTfjs again is fine.
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`initTfjs: TF.js failed to initialise backend '${name}'`);
  }
  await tf.ready();
  if (tf.getBackend() !== name)
    throw new Error(`initTfjs: active TF.js backend is '${tf.getBackend()}', expected '${name}'`);

  let simd = false;
  let threads: boolean | number = false;
  if (name === "wasm") {
    // The wasm backend picks its binary from these two flags (no explicit
    // wasmPath/file map is given), so they tell which binary is running.
    simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
    const mt = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) === true;
    threads = mt && simd ? getThreadsCount() : false;
  }
  return { backend, version: tf.version_core, simd, threads };
}

function makeOptimizer(name: TfjsOptimizerName, o: TfjsOptions): tf.Optimizer {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  switch (name) {
    case "sgd": {
      const m = o.momentum ?? 0;
      return m > 0 ? tf.train.momentum(o.lr ?? 1e-3, m) : tf.train.sgd(o.lr ?? 1e-3);
    }
    case "momentum":
      return tf.train.momentum(o.lr ?? 1e-3, o.momentum ?? 0.9);
    case "adagrad":
      return tf.train.adagrad(o.lr ?? 1e-2, o.initialAccumulatorValue ?? 0);
    case "adadelta":
      return tf.train.adadelta(o.lr ?? 1.0, o.rho ?? 0.9, o.eps ?? 1e-6);
    case "adam":
      return tf.train.adam(o.lr ?? 1e-3, b1, b2, o.eps ?? 1e-8);
    case "adamax":
      return tf.train.adamax(o.lr ?? 2e-3, b1, b2, o.eps ?? 1e-8, 0);
    case "rmsprop":
      return tf.train.rmsprop(o.lr ?? 1e-2, o.alpha ?? 0.99, o.momentum ?? 0, o.eps ?? 1e-8, o.centered ?? false);
  }
}

let varCounter = 0;

/** Returns null when TF.js has no such optimizer. params/grads are copied into tf tensors (setup, outside timing). */
export async function createTfjsStepper(
  backend: TfjsBackend,
  optimizer: string,
  options: TfjsOptions,
  params: Float32Array,
  grads: Float32Array,
): Promise<TfjsStepper | null> {
  const optName = optimizer.toLowerCase() as TfjsOptimizerName;
  if (!TFJS_OPTIMIZERS.includes(optName)) return null;
  if (params.length !== grads.length) {
    throw new Error(`createTfjsStepper: params (${params.length}) and grads (${grads.length}) differ in length`);
  }
  await initTfjs(backend);
  const tfName = TF_BACKEND_NAME[backend];

  // Tensors are created on the backend active now (tfName). The cpu backend
  // keeps a reference to the array it is given, hence the explicit copies.
  const initial = tf.tensor1d(params.slice(), "float32");
  const variable = tf.variable(initial, true, `simdopt_bench_tfjs_${tfName}_${optName}_${++varCounter}`);
  initial.dispose(); // the variable holds its own reference to the data
  const grad = tf.tensor1d(grads.slice(), "float32");
  const opt = makeOptimizer(optName, options);
  // Built once: step() allocates nothing of its own.
  const gradMap: tf.NamedTensorMap = { [variable.name]: grad };
  let disposed = false;

  return {
    step(): void {
      if (disposed) throw new Error("TfjsStepper: step() after dispose()");
      // Stepping while another backend is active would make TF.js migrate the
      // data to it on every step and time the wrong thing.
      if (tf.getBackend() !== tfName) {
        throw new Error(
          `TfjsStepper(${backend}): active TF.js backend is '${tf.getBackend()}'; await initTfjs('${backend}') first`,
        );
      }
      // On the cpu and wasm backends every kernel runs to completion when it is
      // called (unlike webgl/webgpu, nothing is queued), so when applyGradients
      // returns the new moments and parameters are already written: no readback
      // or other forcing is needed. applyGradients wraps its intermediates in
      // tf.tidy and replaces the variables' data with assign(), so the tensor
      // count is stable after the first step (which allocates the optimizer's
      // slot variables, e.g. Adam's m and v).
      opt.applyGradients(gradMap);
    },
    read(): Float32Array {
      // dataSync reads from the backend owning the data (cpu: the backing array
      // itself, hence the copy).
      return variable.dataSync<"float32">().slice();
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      opt.dispose(); // slot variables (moments, accumulators) and scalars
      // TF.js 4.22 bug: MomentumOptimizer.dispose() overrides SGDOptimizer's
      // without calling it, leaking the -lr scalar `c`. Dispose it if still alive.
      const c = (opt as unknown as { c?: tf.Tensor }).c;
      if (c != null && !c.isDisposed) c.dispose();
      variable.dispose();
      grad.dispose();
    },
  };
}
