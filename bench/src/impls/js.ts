/**
 * `js`: the same updates written as a competent JS engineer would: typed arrays allocated once at
 * setup, one fused loop per step, per-step scalars (bias corrections, learning-rate schedules)
 * hoisted out of the loop, no allocation per step. Arithmetic is in double (JS numbers) and the
 * results are stored in the element type (Float32Array rounds on store), so float32 results agree
 * with simdopt's per-operation-rounded reference to a relative tolerance, not bit for bit.
 *
 * The formulas and the per-step scalars are torch.optim's, as in simdopt's optimizers (see
 * packages/simdopt/src/optimizers/<name>.ts), including the options the bench does not use by
 * default (weight decay, maximize, Nesterov, AMSGrad, centered, ...).
 */
import {
  adadeltaDefaults,
  adagradDefaults,
  adamaxDefaults,
  adamDefaults,
  adamwDefaults,
  adamwScheduleFreeDefaults,
  nadamDefaults,
  adafactorDefaults,
  asgdDefaults,
  ftrlDefaults,
  kerasAdamDefaults,
  lambDefaults,
  lionDefaults,
  optaxLionDefaults,
  radamDefaults,
  rmspropDefaults,
  rpropDefaults,
  sgdDefaults,
  tfjsAdamDefaults,
} from "simdopt";

import type { BenchCase } from "../cases.js";
import type { BenchData, FloatArray } from "../data.js";
import type { Impl, Stepper } from "./types.js";

type Arr = FloatArray;
type Step = () => void;
type Options = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function zeros(like: Arr): Arr {
  return new (like.constructor as typeof Float32Array | typeof Float64Array)(like.length);
}

// Each update is a top-level function taking its arrays and scalars as arguments: V8 optimizes it
// once for all instances (closures over captured variables are only fast while a single instance
// exists, which would make the numbers depend on what else ran), and every value is a local.

function sgdLoop(p: Arr, g: Arr, n: number, lr: number, wd: number, gs: number): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let d = gs * g[i];
    if (wd !== 0) d += wd * x;
    p[i] = x - lr * d;
  }
}

/** The first momentum step sets buf = d (torch); a separate loop, so that the steady-state loop's
 *  every load has type feedback when V8 optimizes it (a branch first taken after optimization
 *  would deoptimize it into generic element access). */
function momentumFirstLoop(
  p: Arr,
  g: Arr,
  buf: Arr,
  n: number,
  lr: number,
  wd: number,
  gs: number,
  mu: number,
  nesterov: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let d = gs * g[i];
    if (wd !== 0) d += wd * x;
    buf[i] = d;
    p[i] = x - lr * (nesterov ? d + mu * d : d);
  }
}

function momentumLoop(
  p: Arr,
  g: Arr,
  buf: Arr,
  n: number,
  lr: number,
  wd: number,
  gs: number,
  mu: number,
  keep: number,
  nesterov: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let d = gs * g[i];
    if (wd !== 0) d += wd * x;
    const b = mu * buf[i] + keep * d;
    buf[i] = b;
    p[i] = x - lr * (nesterov ? d + mu * b : b);
  }
}

function sgd(o: Options, p: Arr, g: Arr): Step {
  const { lr, momentum, dampening, weightDecay: wd, nesterov } = o;
  const gs = o.maximize ? -1 : 1;
  const n = p.length;
  if (momentum === 0) return () => sgdLoop(p, g, n, lr, wd, gs);
  const buf = zeros(p);
  let first = true;
  return () => {
    if (first) momentumFirstLoop(p, g, buf, n, lr, wd, gs, momentum, nesterov);
    else momentumLoop(p, g, buf, n, lr, wd, gs, momentum, 1 - dampening, nesterov);
    first = false;
  };
}

function adamLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  v: Arr,
  vmax: Arr,
  n: number,
  scale: number,
  wd: number,
  gs: number,
  b1: number,
  c1: number,
  b2: number,
  c2: number,
  stepSize: number,
  bc2Sqrt: number,
  eps: number,
  amsgrad: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i] * scale;
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * x;
    const mi = b1 * m[i] + c1 * gi;
    let vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    if (amsgrad) {
      vi = Math.max(vmax[i], vi);
      vmax[i] = vi;
    }
    p[i] = x - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

function adam(decoupled: boolean) {
  return (o: Options, p: Arr, g: Arr): Step => {
    const { lr, eps, amsgrad } = o;
    const [b1, b2] = o.betas as [number, number];
    const gs = o.maximize ? -1 : 1;
    const coupledWd = decoupled ? 0 : o.weightDecay;
    const scale = decoupled ? 1 - lr * o.weightDecay : 1;
    const n = p.length;
    const m = zeros(p);
    const v = zeros(p);
    const vmax = amsgrad ? zeros(p) : m;
    let t = 0;
    return () => {
      t++;
      adamLoop(
        p,
        g,
        m,
        v,
        vmax,
        n,
        scale,
        coupledWd,
        gs,
        b1,
        1 - b1,
        b2,
        1 - b2,
        lr / (1 - b1 ** t),
        Math.sqrt(1 - b2 ** t),
        eps,
        amsgrad,
      );
    };
  };
}

function adamaxLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  u: Arr,
  n: number,
  wd: number,
  gs: number,
  b1: number,
  c1: number,
  b2: number,
  eps: number,
  clr: number,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * x;
    const mi = b1 * m[i] + c1 * gi;
    const ui = Math.max(b2 * u[i], Math.abs(gi) + eps);
    m[i] = mi;
    u[i] = ui;
    p[i] = x - (clr * mi) / ui;
  }
}

function adamax(o: Options, p: Arr, g: Arr): Step {
  const { lr, eps, weightDecay: wd } = o;
  const [b1, b2] = o.betas as [number, number];
  const gs = o.maximize ? -1 : 1;
  const n = p.length;
  const m = zeros(p);
  const u = zeros(p);
  let t = 0;
  return () => {
    t++;
    adamaxLoop(p, g, m, u, n, wd, gs, b1, 1 - b1, b2, eps, lr / (1 - b1 ** t));
  };
}

function nadamLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  v: Arr,
  n: number,
  wd: number,
  gs: number,
  b1: number,
  c1: number,
  b2: number,
  c2: number,
  bc2: number,
  eps: number,
  gradCoef: number,
  avgCoef: number,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * x;
    const mi = b1 * m[i] + c1 * gi;
    const vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const denom = Math.sqrt(vi / bc2) + eps;
    p[i] = x - (gradCoef * gi) / denom - (avgCoef * mi) / denom;
  }
}

function nadam(o: Options, p: Arr, g: Arr): Step {
  const { lr, eps, weightDecay: wd, momentumDecay } = o;
  const [b1, b2] = o.betas as [number, number];
  const gs = o.maximize ? -1 : 1;
  const n = p.length;
  const m = zeros(p);
  const v = zeros(p);
  let t = 0;
  let muProduct = 1;
  return () => {
    t++;
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
    // torch keeps the running product in float32 tensors (see simdopt's nadam.ts); torch 1.13
    // multiplies μ_t into the next one a second time.
    muProduct = Math.fround(muProduct * Math.fround(mu));
    const muProductNext = o.torch113
      ? Math.fround(Math.fround(muProduct * Math.fround(mu)) * Math.fround(muNext))
      : muProduct * muNext;
    const gradCoef = (lr * (1 - mu)) / (1 - muProduct);
    const avgCoef = (lr * muNext) / (1 - muProductNext);
    nadamLoop(p, g, m, v, n, wd, gs, b1, 1 - b1, b2, 1 - b2, 1 - b2 ** t, eps, gradCoef, avgCoef);
  };
}

function radamLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  v: Arr,
  n: number,
  wd: number,
  gs: number,
  b1: number,
  c1: number,
  b2: number,
  c2: number,
  bc1: number,
  lr: number,
  k: number,
  eps: number,
  rectified: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * x;
    const mi = b1 * m[i] + c1 * gi;
    const vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const update = (mi / bc1) * lr;
    p[i] = x - (rectified ? (update * k) / (Math.sqrt(vi) + eps) : update);
  }
}

function radam(o: Options, p: Arr, g: Arr): Step {
  const { lr, eps, weightDecay: wd } = o;
  const [b1, b2] = o.betas as [number, number];
  const gs = o.maximize ? -1 : 1;
  const n = p.length;
  const m = zeros(p);
  const v = zeros(p);
  const rhoInf = 2 / (1 - b2) - 1;
  let t = 0;
  return () => {
    t++;
    const bc2 = 1 - b2 ** t;
    const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
    const rectified = rhoT > 5;
    const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    radamLoop(p, g, m, v, n, wd, gs, b1, 1 - b1, b2, 1 - b2, 1 - b1 ** t, lr, rect * Math.sqrt(bc2), eps, rectified);
  };
}

function adagradLoop(p: Arr, g: Arr, sum: Arr, n: number, wd: number, gs: number, eps: number, clr: number): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * x;
    const s = sum[i] + gi * gi;
    sum[i] = s;
    p[i] = x - (clr * gi) / (Math.sqrt(s) + eps);
  }
}

function adagrad(o: Options, p: Arr, g: Arr): Step {
  const { lr, lrDecay, eps, weightDecay: wd, initialAccumulatorValue } = o;
  const gs = o.maximize ? -1 : 1;
  const n = p.length;
  const sum = zeros(p).fill(initialAccumulatorValue);
  let t = 0;
  return () => {
    t++;
    adagradLoop(p, g, sum, n, wd, gs, eps, lr / (1 + (t - 1) * lrDecay));
  };
}

function adadeltaLoop(
  p: Arr,
  g: Arr,
  sq: Arr,
  acc: Arr,
  n: number,
  wd: number,
  gs: number,
  rho: number,
  c: number,
  eps: number,
  lr: number,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * x;
    const s = rho * sq[i] + c * gi * gi;
    sq[i] = s;
    const a = acc[i];
    const delta = (Math.sqrt(a + eps) / Math.sqrt(s + eps)) * gi;
    acc[i] = rho * a + c * delta * delta;
    p[i] = x - lr * delta;
  }
}

function adadelta(o: Options, p: Arr, g: Arr): Step {
  const { lr, rho, eps, weightDecay: wd } = o;
  const gs = o.maximize ? -1 : 1;
  const sq = zeros(p);
  const acc = zeros(p);
  return () => adadeltaLoop(p, g, sq, acc, p.length, wd, gs, rho, 1 - rho, eps, lr);
}

function rmspropLoop(
  p: Arr,
  g: Arr,
  sq: Arr,
  ga: Arr,
  buf: Arr,
  n: number,
  wd: number,
  gs: number,
  alpha: number,
  c: number,
  eps: number,
  lr: number,
  momentum: number,
  centered: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * x;
    const s = alpha * sq[i] + c * gi * gi;
    sq[i] = s;
    let avg: number;
    if (centered) {
      const a = alpha * ga[i] + c * gi;
      ga[i] = a;
      avg = Math.sqrt(s - a * a) + eps;
    } else {
      avg = Math.sqrt(s) + eps;
    }
    if (momentum > 0) {
      const b = momentum * buf[i] + gi / avg;
      buf[i] = b;
      p[i] = x - lr * b;
    } else {
      p[i] = x - (lr * gi) / avg;
    }
  }
}

function rmsprop(o: Options, p: Arr, g: Arr): Step {
  const { lr, alpha, eps, weightDecay: wd, momentum, centered } = o;
  const gs = o.maximize ? -1 : 1;
  const sq = zeros(p);
  const ga = centered ? zeros(p) : sq;
  const buf = momentum > 0 ? zeros(p) : sq;
  return () => rmspropLoop(p, g, sq, ga, buf, p.length, wd, gs, alpha, 1 - alpha, eps, lr, momentum, centered);
}

function rpropLoop(
  p: Arr,
  g: Arr,
  prev: Arr,
  stepSize: Arr,
  n: number,
  gs: number,
  etaMinus: number,
  etaPlus: number,
  stepMin: number,
  stepMax: number,
): void {
  for (let i = 0; i < n; i++) {
    let gi = gs * g[i];
    const product = gi * prev[i];
    // η+ where the sign held, η− where it flipped, 1 where either is zero; NaN propagates.
    const factor = product > 0 ? etaPlus : product < 0 ? etaMinus : product === 0 ? 1 : product;
    const eta = Math.min(Math.max(stepSize[i] * factor, stepMin), stepMax);
    if (product < 0) gi = 0; // after a sign flip, skip this step and forget the gradient
    stepSize[i] = eta;
    p[i] -= gi > 0 ? eta : gi < 0 ? -eta : gi * eta;
    prev[i] = gi;
  }
}

function rprop(o: Options, p: Arr, g: Arr): Step {
  const [etaMinus, etaPlus] = o.etas as [number, number];
  const [stepMin, stepMax] = o.stepSizes as [number, number];
  const gs = o.maximize ? -1 : 1;
  const prev = zeros(p);
  const stepSize = zeros(p).fill(o.lr);
  return () => rpropLoop(p, g, prev, stepSize, p.length, gs, etaMinus, etaPlus, stepMin, stepMax);
}

function lionLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  n: number,
  scale: number,
  gs: number,
  b1: number,
  b2: number,
  lr: number,
): void {
  for (let i = 0; i < n; i++) {
    const gi = gs * g[i];
    const c = b1 * m[i] + (1 - b1) * gi;
    p[i] = p[i] * scale - (c > 0 ? lr : c < 0 ? -lr : 0);
    m[i] = b2 * m[i] + (1 - b2) * gi;
  }
}

function lion(o: Options, p: Arr, g: Arr): Step {
  const [b1, b2] = o.betas as [number, number];
  const m = zeros(p);
  return () => lionLoop(p, g, m, p.length, 1 - o.lr * o.weightDecay, o.maximize ? -1 : 1, b1, b2, o.lr);
}

function asgdLoop(
  p: Arr,
  g: Arr,
  ax: Arr,
  n: number,
  wd: number,
  gs: number,
  scale: number,
  eta: number,
  mu: number,
): void {
  for (let i = 0; i < n; i++) {
    let gi = gs * g[i];
    if (wd !== 0) gi += wd * p[i];
    const x = p[i] * scale - eta * gi;
    p[i] = x;
    ax[i] = mu !== 1 ? ax[i] + (x - ax[i]) * mu : x;
  }
}

function asgd(o: Options, p: Arr, g: Arr): Step {
  const ax = zeros(p);
  let t = 0;
  let eta = Math.fround(o.lr);
  let mu = 1;
  return () => {
    t++;
    asgdLoop(p, g, ax, p.length, o.weightDecay, o.maximize ? -1 : 1, 1 - o.lambd * eta, eta, mu);
    // torch keeps η and μ as float32 scalars (see simdopt's asgd.ts).
    eta = Math.fround(o.lr / (1 + o.lambd * o.lr * t) ** o.alpha);
    mu = Math.fround(1 / Math.max(1, t - o.t0));
  };
}

function ftrlLoop(
  p: Arr,
  g: Arr,
  accum: Arr,
  linear: Arr,
  n: number,
  shrink2: number,
  power: number,
  lr: number,
  twoL2: number,
  l1: number,
): void {
  for (let i = 0; i < n; i++) {
    const x = p[i];
    const gi = g[i];
    const a0 = accum[i];
    const a1 = a0 + gi * gi;
    const r0 = power === 0.5 ? Math.sqrt(a0) : a0 ** power;
    const r1 = power === 0.5 ? Math.sqrt(a1) : a1 ** power;
    const z = linear[i] + gi + shrink2 * x - ((r1 - r0) / lr) * x;
    linear[i] = z;
    accum[i] = a1;
    p[i] = (Math.min(Math.max(z, -l1), l1) - z) / (r1 / lr + twoL2);
  }
}

function ftrl(o: Options, p: Arr, g: Arr): Step {
  const accum = zeros(p).fill(o.initialAccumulatorValue);
  const linear = zeros(p);
  const lr = o.learningRate;
  const twoL2 = 2 * (o.l2RegularizationStrength + o.beta / (2 * lr));
  return () =>
    ftrlLoop(
      p,
      g,
      accum,
      linear,
      p.length,
      2 * o.l2ShrinkageRegularizationStrength,
      -o.learningRatePower,
      lr,
      twoL2,
      o.l1RegularizationStrength,
    );
}

function lambLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  v: Arr,
  n: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  stepSize: number,
  clamp: number,
  adam: boolean,
): void {
  let sumP = 0;
  let sumU = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const u = mi / (Math.sqrt(vi) + eps) + wd * p[i];
    sumP += p[i] * p[i];
    sumU += u * u;
  }
  const weightNorm = Math.min(Math.sqrt(sumP), clamp);
  const adamNorm = Math.sqrt(sumU);
  const trust = !adam && weightNorm !== 0 && adamNorm !== 0 ? weightNorm / adamNorm : 1;
  for (let i = 0; i < n; i++) p[i] -= stepSize * trust * (m[i] / (Math.sqrt(v[i]) + eps) + wd * p[i]);
}

function lamb(o: Options, p: Arr, g: Arr): Step {
  const [b1, b2] = o.betas as [number, number];
  const m = zeros(p);
  const v = zeros(p);
  let t = 0;
  return () => {
    t++;
    const stepSize = o.lr * (o.debias ? Math.sqrt(1 - b2 ** t) / (1 - b1 ** t) : 1);
    lambLoop(p, g, m, v, p.length, b1, b2, o.eps, o.weightDecay, stepSize, o.clampValue, o.adam);
  };
}

/** Adafactor on a 1-D parameter (the bench's): a full second moment, two norms per step. */
function adafactorLoop(
  p: Arr,
  g: Arr,
  v: Arr,
  n: number,
  gs: number,
  scale: number,
  w: number,
  rho: number,
  eps1: number,
  eps2: number,
  d: number,
): void {
  let sumP = 0;
  for (let i = 0; i < n; i++) sumP += p[i] * p[i];
  const alpha = Math.max(eps2, Math.sqrt(sumP / n)) * rho;
  let sumU = 0;
  for (let i = 0; i < n; i++) {
    const gi = gs * g[i];
    const vi = v[i] + w * (gi * gi - v[i]);
    v[i] = vi;
    const u = gi / Math.sqrt(Math.max(vi, eps1 * eps1));
    sumU += u * u;
  }
  const coef = alpha / Math.max(1, Math.sqrt(sumU / n) / d);
  for (let i = 0; i < n; i++) p[i] = p[i] * scale - coef * ((gs * g[i]) / Math.sqrt(Math.max(v[i], eps1 * eps1)));
}

function adafactor(o: Options, p: Arr, g: Arr): Step {
  const v = zeros(p);
  const eps1 = o.eps[0] ?? (p instanceof Float32Array ? 2 ** -23 : 2 ** -52);
  let t = 0;
  return () => {
    t++;
    adafactorLoop(
      p,
      g,
      v,
      p.length,
      o.maximize ? -1 : 1,
      1 - o.lr * o.weightDecay,
      t ** o.beta2Decay,
      Math.min(o.lr, 1 / Math.sqrt(t)),
      eps1,
      o.eps[1],
      o.d,
    );
  };
}

function kerasAdamLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  v: Arr,
  n: number,
  b1: number,
  b2: number,
  eps: number,
  alpha: number,
): void {
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = m[i] + (gi - m[i]) * (1 - b1);
    const vi = v[i] + (gi * gi - v[i]) * (1 - b2);
    m[i] = mi;
    v[i] = vi;
    p[i] -= (mi * alpha) / (Math.sqrt(vi) + eps);
  }
}

function kerasAdam(o: Options, p: Arr, g: Arr): Step {
  const m = zeros(p);
  const v = zeros(p);
  let t = 0;
  return () => {
    t++;
    const alpha = (o.learningRate * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);
    kerasAdamLoop(p, g, m, v, p.length, o.beta1, o.beta2, o.epsilon, alpha);
  };
}

function tfjsAdamLoop(
  p: Arr,
  g: Arr,
  m: Arr,
  v: Arr,
  n: number,
  b1: number,
  b2: number,
  eps: number,
  bc1: number,
  bc2: number,
  lr: number,
): void {
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}

/** tf.train.adam: m̂/(√v̂ + ε), ε added to the bias-corrected root (null: the backend's 1e-7). */
function tfjsAdam(o: Options, p: Arr, g: Arr): Step {
  const m = zeros(p);
  const v = zeros(p);
  const eps = o.epsilon ?? 1e-7;
  let t = 0;
  return () => {
    t++;
    tfjsAdamLoop(p, g, m, v, p.length, o.beta1, o.beta2, eps, 1 - o.beta1 ** t, 1 - o.beta2 ** t, o.learningRate);
  };
}

function scheduleFreeAdamWLoop(
  p: Arr,
  g: Arr,
  z: Arr,
  v: Arr,
  n: number,
  b2: number,
  bc2: number,
  eps: number,
  wd: number,
  c: number,
  yStep: number,
  lr: number,
): void {
  for (let i = 0; i < n; i++) {
    const y = p[i];
    const gi = g[i];
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    v[i] = vi;
    const d = gi / (Math.sqrt(vi / bc2) + eps) + wd * y;
    const zi = z[i];
    p[i] = y + c * (zi - y) + yStep * d;
    z[i] = zi - lr * d;
  }
}

/** Schedule-free AdamW (facebookresearch/schedule_free) without warm-up: lr_max = lr, c = 1/(k+1) for r = 0. */
function scheduleFreeAdamW(o: Options, p: Arr, g: Arr): Step {
  const [b1, b2] = o.betas as [number, number];
  const z = p.slice();
  const v = zeros(p);
  let k = 0;
  let weightSum = 0;
  return () => {
    const weight = (k + 1) ** o.r * o.lr ** o.weightLrPower;
    weightSum += weight;
    const c = weightSum === 0 ? 0 : weight / weightSum;
    k++;
    const yStep = o.lr * (b1 * (1 - c) - 1);
    scheduleFreeAdamWLoop(p, g, z, v, p.length, b2, 1 - b2 ** k, o.eps, o.weightDecay, c, yStep, o.lr);
  };
}

type Factory = (o: Options, p: Arr, g: Arr) => Step;

const LOOPS: Record<string, { defaults: object; loop: Factory }> = {
  sgd: { defaults: sgdDefaults, loop: sgd },
  adam: { defaults: adamDefaults, loop: adam(false) },
  adamw: { defaults: adamwDefaults, loop: adam(true) },
  adamax: { defaults: adamaxDefaults, loop: adamax },
  nadam: { defaults: nadamDefaults, loop: nadam },
  radam: { defaults: radamDefaults, loop: radam },
  adagrad: { defaults: adagradDefaults, loop: adagrad },
  adadelta: { defaults: adadeltaDefaults, loop: adadelta },
  rmsprop: { defaults: rmspropDefaults, loop: rmsprop },
  rprop: { defaults: rpropDefaults, loop: rprop },
  lion: { defaults: lionDefaults, loop: lion },
  asgd: { defaults: asgdDefaults, loop: asgd },
  ftrl: { defaults: ftrlDefaults, loop: ftrl },
  lamb: { defaults: lambDefaults, loop: lamb },
  adafactor: { defaults: adafactorDefaults, loop: adafactor },
  "schedulefree:adamw": { defaults: adamwScheduleFreeDefaults, loop: scheduleFreeAdamW },
  "keras:adam": { defaults: kerasAdamDefaults, loop: kerasAdam },
  "optax:lion": {
    defaults: optaxLionDefaults,
    loop: (o, p, g) =>
      lion({ lr: o.learningRate, betas: [o.b1, o.b2], weightDecay: o.weightDecay, maximize: false }, p, g),
  },
  "tfjs:adam": { defaults: tfjsAdamDefaults, loop: tfjsAdam },
};

/** A plain-JS stepper for `c` over copies of the data. */
export function createJsStepper(c: BenchCase, data: BenchData): Stepper {
  const entry = LOOPS[c.optimizer];
  if (entry === undefined) throw new Error(`js: no loop for optimizer ${c.optimizer}`);
  const p = data.params.slice();
  const g = data.grads.slice();
  const step = entry.loop({ ...entry.defaults, ...c.options }, p, g);
  return { step, read: () => p.slice(), dispose: () => {} };
}

export const jsImpl: Impl = {
  id: "js",
  check: "tolerance",
  referenceRounding: "separate",
  unavailable: async () => null,
  setup: async (c, data) => createJsStepper(c, data),
  describe: async () => ({
    library: "plain JS (bench/src/impls/js.ts)",
    arithmetic: "double, stored in the element type",
  }),
};
