/**
 * TF.js (`tf.train.*` optimizers) on the cpu and wasm backends, over baselines/tfjs.ts.
 * Speed only: TF.js's formulas differ from torch's (see the baseline's header), so the gate only
 * checks that the results are finite and that the parameters moved. float32 only.
 */
import type { TfjsBackend } from "../baselines/tfjs.js";
import type { Impl } from "./types.js";

type TfjsModule = typeof import("../baselines/tfjs.js");

let modulePromise: Promise<TfjsModule> | undefined;
/** Loaded lazily, so that runs without TF.js never import it. */
function tfjsModule(): Promise<TfjsModule> {
  modulePromise ??= import("../baselines/tfjs.js");
  return modulePromise;
}

export function tfjsImpl(id: TfjsBackend): Impl {
  let init: Promise<{ reason: string | null; info: Record<string, unknown> }> | undefined;
  const initialise = () => {
    init ??= (async () => {
      try {
        const m = await tfjsModule();
        const info = await m.initTfjs(id);
        return { reason: null, info: { library: "@tensorflow/tfjs-core", ...info } };
      } catch (e) {
        const reason = `TF.js backend failed to initialise: ${(e as Error).message.split("\n")[0]}`;
        return { reason, info: { library: "@tensorflow/tfjs-core", error: reason } };
      }
    })();
    return init;
  };
  return {
    id,
    check: "sanity",
    referenceRounding: "separate",
    async unavailable(c, dtype) {
      if (c.tfjs === null) return `TF.js has no ${c.optimizer} optimizer`;
      if (dtype !== "float32") return "TF.js optimizers run in float32 only";
      return (await initialise()).reason;
    },
    async setup(c, data) {
      if (c.tfjs === null || !(data.params instanceof Float32Array) || !(data.grads instanceof Float32Array)) {
        throw new Error(`${id}: case ${c.id} / ${data.dtype} is not available`);
      }
      const m = await tfjsModule();
      const stepper = await m.createTfjsStepper(id, c.tfjs.name, c.tfjs.options, data.params, data.grads);
      if (stepper === null) throw new Error(`${id}: TF.js has no optimizer ${c.tfjs.name}`);
      // createTfjsStepper made this backend the active one; step() checks it stays so.
      return stepper;
    },
    async describe() {
      return (await initialise()).info;
    },
  };
}
