/**
 * simdopt on several threads: the wasm implementation with a `threads` runtime option, whose
 * workers are started (and waited for) at setup, so that every timed step can use them, and
 * ended at dispose, so that no case keeps a pool and its memory alive. Its `oneThread` switch
 * moves the runtime's `threadMinElements` out of reach of any step, and back.
 */
import type { BenchCase } from "../cases.js";
import type { BenchData } from "../data.js";
import type { Impl, Stepper } from "./types.js";
import { createWasmStepper, wasmImpl, type WasmRuntimeOptions } from "./wasm.js";

export function wasmThreadsImpl(id: string, runtimeOptions: WasmRuntimeOptions & { threads: number }): Impl {
  const base = wasmImpl(id, runtimeOptions);
  return {
    ...base,
    async setup(c: BenchCase, data: BenchData): Promise<Stepper> {
      const stepper = await createWasmStepper(runtimeOptions, c, data);
      const threads = await stepper.runtime.startThreads();
      if (threads !== runtimeOptions.threads) {
        stepper.dispose();
        stepper.runtime.close();
        throw new Error(`${id}: ${runtimeOptions.threads} threads were asked for, ${threads} started`);
      }
      const threadMinElements = stepper.runtime.threadMinElements;
      return {
        ...stepper,
        oneThread: (on) => {
          stepper.runtime.threadMinElements = on ? Number.MAX_SAFE_INTEGER : threadMinElements;
        },
        dispose: () => {
          stepper.dispose();
          stepper.runtime.close();
        },
      };
    },
  };
}
