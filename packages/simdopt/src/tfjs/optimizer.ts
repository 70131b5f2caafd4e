/**
 * A `tf.Optimizer` whose step is a simdopt optimizer, for `model.compile({ optimizer })`,
 * `model.fit`, `optimizer.minimize` and `applyGradients`. The TF.js variables stay the truth: each
 * step copies their values and gradients into Wasm memory, steps the whole list in one call per
 * group, and assigns the new values back. The parameters and the simdopt optimizer are made at the
 * first step, over the variables it is given, in their order; later steps must give the same
 * variables. `getWeights` / `setWeights` carry the state (weights.ts) by position, as TF.js's own
 * optimizers do, so that a model saved with `includeOptimizer: true` and loaded (its variables
 * renamed) continues where it stopped.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { OptimizerStateDict } from "../checkpoint/state-dict.js";
import type { Optimizer } from "../optimizer.js";
import { createOptimizer, OPTIMIZERS, type OptimizerName, type OptionsOf } from "../optimizers/index.js";
import type { Parameter } from "../runtime/parameter.js";
import type { Runtime } from "../runtime/runtime.js";
import { readStateWeights, stateWeights, type NamedTensor } from "./weights.js";

/** What `getConfig()` returns and `fromConfig` reads: the optimizer's name and its options. */
export interface SimdoptOptimizerConfig extends tf.serialization.ConfigDict {
  optimizer: OptimizerName;
  options: tf.serialization.ConfigDict;
}

/** The trained variables and what simdopt made for them at the first step. */
interface Bound {
  names: string[];
  variables: tf.Variable[];
  params: Parameter<"float32">[];
  optimizer: Optimizer<object>;
  /** The data each variable was given at the last step: other data means it was assigned since. */
  assigned: object[];
}

let loadingRuntime: Runtime | undefined;

// One empty parameter per runtime to check options on, kept: a disposed parameter's blocks wait in
// quarantine, so a probe made and disposed at each construction would hold memory for a while.
const probes = new WeakMap<Runtime, Parameter<"float32">>();
function probeOf(runtime: Runtime): Parameter<"float32"> {
  const known = probes.get(runtime);
  if (known !== undefined) return known;
  const probe = runtime.parameter(0);
  probes.set(runtime, probe);
  return probe;
}

export class SimdoptOptimizer<N extends OptimizerName = OptimizerName> extends tf.Optimizer {
  /** The name TF.js saves and registers the class under. */
  static className = "SimdoptOptimizer";

  readonly runtime: Runtime;
  /** The simdopt optimizer's name: `tfjs:adam` for TF.js's numerics, `adam` for torch's, ... */
  readonly optimizerName: N;
  readonly #options: OptionsOf<N>;
  #bound: Bound | undefined;
  /** A checkpoint given by `setWeights` before the first step, loaded at that step. */
  #pending: OptimizerStateDict<object> | undefined;
  #disposed = false;

  /**
   * @param runtime the runtime whose memory holds the parameters and state
   * @param optimizer any of simdopt's optimizers by name (`OPTIMIZER_NAMES`); the `tfjs:` presets
   *   compute what `tf.train.*` computes, with its option names
   * @param options that optimizer's options, checked now
   */
  constructor(runtime: Runtime, optimizer: N, options: OptionsOf<N> = {} as OptionsOf<N>) {
    super();
    if (typeof optimizer !== "string" || !Object.hasOwn(OPTIMIZERS, optimizer)) {
      throw new TypeError(`SimdoptOptimizer: unknown optimizer ${JSON.stringify(optimizer)}; see OPTIMIZER_NAMES`);
    }
    // Checks the options now, with the optimizer's own messages, on an empty parameter.
    createOptimizer(optimizer, [probeOf(runtime)], options).dispose();
    this.runtime = runtime;
    this.optimizerName = optimizer;
    this.#options = structuredClone(options);
  }

  /** The simdopt optimizer (for schedulers and `setGroupOptions`); undefined before the first step. */
  get optimizer(): Optimizer<OptionsOf<N>> | undefined {
    return this.#bound?.optimizer as Optimizer<OptionsOf<N>> | undefined;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.#checkLive();
    const named = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor] as const)
      : Object.entries(variableGradients);
    const gradients = named.map(([name, tensor]) => {
      if (tensor == null) throw new TypeError(`SimdoptOptimizer: no gradient for variable '${name}'`);
      return tensor;
    });
    const bound = this.#bind(named.map(([name]) => name));
    gradients.forEach((gradient, i) => {
      if (gradient.size !== bound.params[i].length || gradient.dtype !== "float32") {
        throw new TypeError(
          `SimdoptOptimizer: the gradient of variable '${named[i][0]}' must be float32 of ${bound.params[i].length} ` +
            `elements, got ${gradient.dtype} of ${gradient.size}`,
        );
      }
    });
    bound.params.forEach((param, i) => {
      const variable = bound.variables[i];
      // Its values are read again only when something else assigned it (model.setWeights, a load).
      if (variable.dataId !== bound.assigned[i]) param.set(variable.dataSync() as Float32Array);
      param.setGrad(gradients[i].dataSync() as Float32Array);
    });
    bound.optimizer.step();
    tf.tidy(() => {
      bound.variables.forEach((variable, i) => {
        // A copy: TF.js's cpu backend keeps the array a tensor is made from.
        variable.assign(tf.tensor(bound.params[i].toArray(), variable.shape));
        bound.assigned[i] = variable.dataId;
      });
    });
    this.incrementIterations();
  }

  /** The variables of the first step, with their parameters and optimizer; the same names after. */
  #bind(names: string[]): Bound {
    if (this.#bound !== undefined) {
      const known = this.#bound.names;
      if (names.length !== known.length || names.some((name, i) => name !== known[i])) {
        throw new Error(
          `SimdoptOptimizer: steps must update the variables of the first step in the same order ` +
            `(${known.join(", ")}), got ${names.join(", ")}`,
        );
      }
      return this.#bound;
    }
    const variables = names.map((name) => {
      const registered = tf.engine().registeredVariables;
      if (!Object.hasOwn(registered, name)) throw new TypeError(`SimdoptOptimizer: no variable named '${name}'`);
      const variable = registered[name];
      if (variable.dtype !== "float32") {
        throw new TypeError(`SimdoptOptimizer: variable '${name}' is ${variable.dtype}, not float32`);
      }
      return variable;
    });
    const params: Parameter<"float32">[] = [];
    let optimizer: Optimizer<object> | undefined;
    try {
      for (const variable of variables) {
        params.push(this.runtime.parameter(variable.size, { shape: variable.shape.length > 0 ? variable.shape : [1] }));
      }
      optimizer = createOptimizer(this.optimizerName, params, this.#options) as Optimizer<object>;
      if (this.#pending !== undefined) optimizer.loadStateDict(this.#pending);
    } catch (error) {
      optimizer?.dispose();
      for (const param of params) param.dispose();
      throw error;
    }
    this.#pending = undefined;
    this.#bound = { names, variables, params, optimizer, assigned: [] };
    return this.#bound;
  }

  override getConfig(): SimdoptOptimizerConfig {
    return {
      optimizer: this.optimizerName,
      options: structuredClone(this.#options) as tf.serialization.ConfigDict,
    };
  }

  /** Made by TF.js when it loads a model saved with its optimizer; needs `registerSimdoptOptimizer`. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    if (loadingRuntime === undefined) {
      throw new Error("SimdoptOptimizer: call registerSimdoptOptimizer(runtime) before loading a model that uses it");
    }
    const Class = cls as unknown as new (runtime: Runtime, optimizer: unknown, options: unknown) => T;
    return new Class(loadingRuntime, config.optimizer, config.options ?? {});
  }

  /** `iter`, then the state as `weights.ts` lays it out (nothing more before the first step). */
  override async getWeights(): Promise<NamedTensor[]> {
    this.#checkLive();
    const iterations = await this.saveIterations();
    if (this.#bound !== undefined) {
      return [iterations, ...stateWeights(this.#bound.optimizer.stateDict(), this.#bound.names)];
    }
    if (this.#pending !== undefined) return [iterations, ...stateWeights(this.#pending, [])];
    return [iterations];
  }

  /**
   * Restores `getWeights()`'s output. Before the first step the state is kept and loaded then (its
   * parameter count and lengths are checked there); after it, loaded now. Either way a refused
   * state changes nothing.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.#checkLive();
    if (!Array.isArray(weightValues) || weightValues[0]?.name !== "iter") {
      throw new TypeError("SimdoptOptimizer: setWeights takes getWeights()'s list, which starts with 'iter'");
    }
    const iterations = (await weightValues[0].tensor.data())[0] as number;
    if (weightValues.length === 1) {
      if (this.#bound !== undefined || iterations !== 0) {
        throw new TypeError("SimdoptOptimizer: cannot set weights: no optimizer state among them");
      }
      this.#pending = undefined;
    } else {
      const dict = await readStateWeights(weightValues.slice(1));
      if (this.#bound !== undefined) this.#bound.optimizer.loadStateDict(dict);
      else this.#pending = dict;
    }
    this.iterations_ = iterations;
  }

  /** Frees the parameters and state in Wasm memory; the TF.js variables stay. */
  override dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#bound !== undefined) {
      this.#bound.optimizer.dispose();
      for (const param of this.#bound.params) param.dispose();
    }
    this.#bound = undefined;
    this.#pending = undefined;
  }

  #checkLive(): void {
    if (this.#disposed) throw new Error("SimdoptOptimizer: used after dispose()");
  }
}

/**
 * Registers `SimdoptOptimizer` with TF.js's serialization, so that `tf.loadLayersModel` can rebuild
 * a model saved with `includeOptimizer: true`, over `runtime`.
 */
export function registerSimdoptOptimizer(runtime: Runtime): void {
  loadingRuntime = runtime;
  tf.serialization.registerClass(SimdoptOptimizer);
}
