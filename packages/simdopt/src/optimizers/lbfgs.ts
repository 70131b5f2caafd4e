/**
 * L-BFGS as torch.optim.LBFGS computes it (torch 2.13 torch/optim/lbfgs.py), over all of the
 * parameters as one vector: `step(closure)` runs up to `maxIter` quasi-Newton iterations, calling
 * the closure (which writes the gradients and returns the loss) as often as they need, and returns
 * the loss the closure gave at the start. The history of (s, y) pairs, the direction, the step and
 * the previous gradient survive between steps, as in torch.
 *
 * The vector arithmetic is plain JavaScript in float64 (a few dot products and updates per
 * iteration, over copies gathered from the parameters): float64 parameters follow torch to
 * rounding; float32 parameters get the float64 result rounded when it is written, where torch
 * computes in float32.
 *
 * Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp. 1980.
 */
import { readOptions } from "../runtime/read-options.js";
import { deepFreeze } from "../runtime/freeze.js";
import { readLBFGSState, writeLBFGSState, type LBFGSState, type LBFGSStateDict } from "../checkpoint/lbfgs-state.js";
import { Lifecycle } from "../runtime/lifecycle.js";
import { copyList } from "../runtime/param-list.js";
import { Parameter } from "../runtime/parameter.js";
import { OptionChecker, show } from "../runtime/validate.js";
import { dot, maxAbs, strongWolfe } from "./lbfgs-line-search.js";
import { HookList, type HookHandle } from "../hooks/hooks.js";

/** Options of `LBFGS`, as torch.optim.LBFGS names them in camelCase; every one optional (defaults: `lbfgsDefaults`). */
export interface LBFGSOptions {
  /** Step length (torch's lr); the first iteration's is scaled by min(1, 1/‖g‖₁). Default 1. */
  lr?: number;
  /** Iterations per step(). */
  maxIter?: number;
  /** Closure calls per step(); null: ⌊1.25·maxIter⌋. */
  maxEval?: number | null;
  /** Stop when max |g| ≤ this. */
  toleranceGrad?: number;
  /** Stop when the step or the change of the loss is below this. */
  toleranceChange?: number;
  /** (s, y) pairs kept. */
  historySize?: number;
  /** null or "strong_wolfe". */
  lineSearchFn?: "strong_wolfe" | null;
}

/** `LBFGS`'s defaults (torch's): the options it takes when not given. */
export const lbfgsDefaults: Required<LBFGSOptions> = deepFreeze({
  lr: 1,
  maxIter: 20,
  maxEval: null,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
});

/**
 * L-BFGS as torch.optim.LBFGS computes it, over all the parameters as one vector: `step(closure)` runs up to `maxIter`
 * quasi-Newton iterations and returns the closure's first loss. Not an `Optimizer`: it has no parameter groups.
 */
export class LBFGS {
  private current: Readonly<Required<LBFGSOptions> & { maxEval: number }>;
  private readonly params: Parameter[];
  private readonly length: number;
  private readonly check = new OptionChecker("LBFGS");
  private readonly lifecycle = new Lifecycle((message) => this.check.fail(message, TypeError));
  private state: LBFGSState = { directions: [], steps: [], rho: [], hDiag: 1, iterations: 0, evaluations: 0 };
  private lastIterations = 0;
  private lastEvaluations = 0;
  private readonly preHooks = new HookList<(optimizer: LBFGS) => void>();
  private readonly postHooks = new HookList<(optimizer: LBFGS, loss: number) => void>();

  constructor(params: readonly Parameter[], options: LBFGSOptions = {}) {
    const list = Array.isArray(params) ? copyList(params, "", (message, Kind) => this.check.fail(message, Kind)) : [];
    if (list.length === 0) this.check.fail("params must be a non-empty array of parameters", TypeError);
    list.forEach((param, i) => {
      if (!Parameter.isParameter(param))
        this.check.fail(`parameter ${i} is not a simdopt Parameter (create it with runtime.parameter())`, TypeError);
      if ((param as Parameter).isDisposed) this.check.fail(`parameter ${i} was disposed`, TypeError);
    });
    if (new Set(list).size !== list.length) this.check.fail("some parameters appear more than once", TypeError);
    this.current = this.resolve(options);
    this.params = list as Parameter[];
    this.length = this.params.reduce((total, param) => total + param.length, 0);
  }

  /** The options in force (a copy), maxEval resolved. */
  get options(): Required<LBFGSOptions> & {
    /** Closure calls per step(), resolved: ⌊1.25·maxIter⌋ where it was null. */
    maxEval: number;
  } {
    return { ...this.current };
  }

  /** The options given, checked, over the defaults (maxEval resolved). */
  private resolve(options: unknown): Readonly<Required<LBFGSOptions> & { maxEval: number }> {
    const given = readOptions(options, { where: "LBFGS", known: Object.keys(lbfgsDefaults) });
    const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    const o = { ...lbfgsDefaults, ...defined } as Required<LBFGSOptions>;
    this.check.nonNegative("lr", o.lr);
    const whole = (name: string, value: unknown) => {
      const n = this.check.number(name, value);
      if (!Number.isInteger(n) || n < 1) this.check.fail(`invalid ${name}: ${n} (must be a whole number >= 1)`);
      return n;
    };
    whole("maxIter", o.maxIter);
    if (o.maxEval !== null) whole("maxEval", o.maxEval);
    this.check.nonNegative("toleranceGrad", o.toleranceGrad);
    this.check.nonNegative("toleranceChange", o.toleranceChange);
    whole("historySize", o.historySize);
    if (o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe")
      this.check.fail(`only 'strong_wolfe' is supported as lineSearchFn, got ${show(o.lineSearchFn)}`, TypeError);
    return Object.freeze({ ...o, maxEval: o.maxEval ?? Math.floor((o.maxIter * 5) / 4) });
  }

  /**
   * A JSON-safe checkpoint: torch's state slots (the history, the direction, the step, the
   * previous gradient and loss, the counts) and the options.
   */
  stateDict(): LBFGSStateDict {
    this.checkUsable();
    return writeLBFGSState(this.state, this.current);
  }

  /**
   * Restores a `stateDict()` of an LBFGS over parameters of the same total length; the options
   * come from it, as in torch. Everything is checked first: a refusal changes nothing.
   */
  loadStateDict(dict: LBFGSStateDict): void {
    this.checkUsable();
    let options = this.current;
    const loaded = readLBFGSState(
      dict,
      this.length,
      (saved) => {
        // A saved maxEval was resolved from maxIter: keep it as it was saved.
        options = this.resolve(saved);
        return options.historySize;
      },
      (message) => this.check.fail(`cannot load state: ${message}`, TypeError),
    );
    this.current = options;
    this.state = loaded.state;
  }

  /** Iterations over all steps (torch's `state["n_iter"]`). */
  get iterations(): number {
    return this.state.iterations;
  }

  /** Closure calls over all steps (torch's `state["func_evals"]`). */
  get evaluations(): number {
    return this.state.evaluations;
  }

  /** Iterations and closure calls of the last step(). */
  get lastStep(): {
    /** Iterations of the last step(). */
    iterations: number;
    /** Closure calls of the last step(). */
    evaluations: number;
  } {
    return { iterations: this.lastIterations, evaluations: this.lastEvaluations };
  }

  /**
   * Up to `maxIter` iterations; `closure` writes every parameter's gradient for the parameters'
   * current values and returns the loss. Returns the first loss, as torch's step does.
   */
  step(closure: () => number): number {
    this.checkUsable();
    if (typeof closure !== "function")
      this.check.fail(`step(closure): the closure must be a function, got ${show(closure)}`, TypeError);
    // Busy until the hooks are done: step() and dispose() from a hook or the closure are refused.
    return this.lifecycle.busy("step()", () => {
      this.preHooks.call(this);
      const loss = this.iterate(closure);
      this.postHooks.call(this, loss);
      return loss;
    });
  }

  /**
   * Registers `hook` to run at the start of every `step()`, once, before the closure's first call
   * (torch's `register_step_pre_hook`); `remove()` on the handle unregisters it.
   */
  registerStepPreHook(hook: (optimizer: LBFGS) => void): HookHandle {
    this.checkUsable();
    return this.preHooks.add(hook, "LBFGS: registerStepPreHook");
  }

  /** Registers `hook` to run at the end of every `step()` with the loss it returns (torch's `register_step_post_hook`). */
  registerStepPostHook(hook: (optimizer: LBFGS, loss: number) => void): HookHandle {
    this.checkUsable();
    return this.postHooks.add(hook, "LBFGS: registerStepPostHook");
  }

  /** Forgets the history; the parameters stay. */
  dispose(): void {
    this.lifecycle.dispose();
    this.state = { directions: [], steps: [], rho: [], hDiag: 1, iterations: 0, evaluations: 0 };
  }

  private iterate(closure: () => number): number {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = this.current;
    const s = this.state;
    const evaluate = (): { f: number; g: Float64Array } => {
      const loss = closure();
      if (typeof loss !== "number")
        this.check.fail(`step(closure): the closure must return the loss as a number, got ${show(loss)}`, TypeError);
      this.checkUsable();
      return { f: loss, g: this.gatherGrad() };
    };
    let { f: loss, g } = evaluate();
    const firstLoss = loss;
    let evaluations = 1;
    s.evaluations += 1;
    this.lastIterations = 0;
    this.lastEvaluations = 1;
    if (maxAbs(g) <= toleranceGrad) return firstLoss;
    let d = s.d;
    let t = s.t as number;
    let n = 0;
    while (n < maxIter) {
      n += 1;
      s.iterations += 1;
      this.lastIterations = n;
      if (s.iterations === 1) {
        d = g.map((x) => -x);
        s.directions = [];
        s.steps = [];
        s.rho = [];
        s.hDiag = 1;
      } else {
        d = this.direction(g, d as Float64Array, t, historySize);
      }
      s.previousGrad = g;
      s.previousLoss = loss;
      t = s.iterations === 1 ? Math.min(1, 1 / g.reduce((sum, x) => sum + Math.abs(x), 0)) * lr : lr;
      const gtd = dot(g, d);
      if (gtd > -toleranceChange) break;
      let moved = 0;
      let converged = false;
      if (lineSearchFn !== null) {
        const x = this.gatherData();
        const direction = d;
        const found = strongWolfe(
          (step) => {
            this.setData(x, step, direction);
            const point = evaluate();
            this.setData(x, 0, direction);
            return point;
          },
          t,
          d,
          loss,
          g,
          gtd,
          maxEval - evaluations,
        );
        ({ f: loss, g, t } = found);
        this.setData(x, t, d);
        moved = found.evaluations;
        converged = maxAbs(g) <= toleranceGrad;
      } else {
        this.setData(this.gatherData(), t, d);
        if (n !== maxIter) {
          ({ f: loss, g } = evaluate());
          moved = 1;
          converged = maxAbs(g) <= toleranceGrad;
        }
      }
      evaluations += moved;
      s.evaluations += moved;
      this.lastEvaluations = evaluations;
      if (n === maxIter || evaluations >= maxEval || converged) break;
      let largestMove = 0;
      for (let i = 0; i < d.length; i++) largestMove = Math.max(largestMove, Math.abs(d[i] * t));
      if (largestMove <= toleranceChange) break;
      if (Math.abs(loss - (s.previousLoss as number)) < toleranceChange) break;
    }
    s.d = d;
    s.t = t;
    return firstLoss;
  }

  /** The two-loop recursion, after adding the newest (s, y) pair where y·s > 1e-10. */
  private direction(g: Float64Array, d: Float64Array, t: number, historySize: number): Float64Array {
    const s = this.state;
    const previous = s.previousGrad as Float64Array;
    const y = g.map((x, i) => x - previous[i]);
    const step = d.map((x) => x * t);
    const ys = dot(y, step);
    if (ys > 1e-10) {
      if (s.directions.length === historySize) {
        s.directions.shift();
        s.steps.shift();
        s.rho.shift();
      }
      s.directions.push(y);
      s.steps.push(step);
      s.rho.push(1 / ys);
      s.hDiag = ys / dot(y, y);
    }
    const count = s.directions.length;
    const alpha = new Array<number>(count);
    const q = g.map((x) => -x);
    for (let i = count - 1; i >= 0; i--) {
      alpha[i] = dot(s.steps[i], q) * s.rho[i];
      const yi = s.directions[i];
      for (let k = 0; k < q.length; k++) q[k] += -alpha[i] * yi[k];
    }
    const r = q.map((x) => x * s.hDiag);
    for (let i = 0; i < count; i++) {
      const beta = dot(s.directions[i], r) * s.rho[i];
      const si = s.steps[i];
      for (let k = 0; k < r.length; k++) r[k] += (alpha[i] - beta) * si[k];
    }
    return r;
  }

  private gatherGrad(): Float64Array {
    const flat = new Float64Array(this.length);
    let offset = 0;
    for (const param of this.params) {
      flat.set(param.grad, offset);
      offset += param.length;
    }
    return flat;
  }

  private gatherData(): Float64Array {
    const flat = new Float64Array(this.length);
    let offset = 0;
    for (const param of this.params) {
      flat.set(param.data, offset);
      offset += param.length;
    }
    return flat;
  }

  /** Writes x + t·d into the parameters (x itself when t is 0). */
  private setData(x: Float64Array, t: number, d: Float64Array): void {
    let offset = 0;
    for (const param of this.params) {
      const data = param.data;
      for (let i = 0; i < data.length; i++) data[i] = t === 0 ? x[offset + i] : x[offset + i] + t * d[offset + i];
      offset += param.length;
    }
  }

  private checkUsable(): void {
    this.lifecycle.checkNotDisposed();
    this.params.forEach((param, i) => {
      if (param.isDisposed) this.check.fail(`parameter ${i} was disposed`, TypeError);
    });
  }
}
