/**
 * simdopt's Wasm binaries (and its plain-JS reference, used by the correctness gate) through the
 * public API: loadRuntime({ binary }) → parameter → createOptimizer → step().
 *
 * A future threaded build is one more registry entry with its runtime options, e.g.
 * `wasmImpl('wasm-simd-threads', { binary: 'simd', threads: 'auto' })`: the options are passed to
 * loadRuntime untouched, and a runtime that rejects them makes the entry "n/a" with the reason.
 */
import { createOptimizer, isSimdSupported, loadRuntime, type Runtime } from "simdopt";

import { bytesPerElement, type BenchCase } from "../cases.js";
import type { BenchData } from "../data.js";
import type { CheckMode, Impl, Stepper } from "./types.js";

/** loadRuntime's options; kept open so that new runtime options (threads) need no change here. */
export type WasmRuntimeOptions = Parameters<typeof loadRuntime>[0] & Record<string, unknown>;

export async function createWasmStepper(
  runtimeOptions: WasmRuntimeOptions,
  c: BenchCase,
  data: BenchData,
): Promise<Stepper & { runtime: Runtime }> {
  const n = data.params.length;
  // param, grad and up to 4 state buffers, plus slack: one allocation up front, no growth later.
  const initialMemory = Math.min(4 * 1024 ** 3 - 65536, (c.written + 3) * n * bytesPerElement(data.dtype) + (1 << 20));
  const runtime = await loadRuntime({ initialMemory, ...runtimeOptions });
  const p = runtime.parameter(data.params, { dtype: data.dtype });
  p.setGrad(data.grads);
  const opt = createOptimizer(c.optimizer, [p], c.options);
  return {
    runtime,
    step: () => opt.step(),
    read: () => p.toArray(),
    dispose: () => {
      opt.dispose();
      p.dispose();
    },
  };
}

export function wasmImpl(id: string, runtimeOptions: WasmRuntimeOptions, check: CheckMode = "exact"): Impl {
  let probe: Promise<string | null> | undefined;
  let binary: string | undefined;
  let build: string | undefined;
  let rounding: string | undefined;
  return {
    id,
    check,
    referenceRounding: runtimeOptions.rounding ?? "fused", // the runtime's default rounding
    unavailable() {
      probe ??= (async () => {
        if (runtimeOptions.binary === "simd" && !isSimdSupported()) return "this engine has no WebAssembly SIMD";
        try {
          const rt = await loadRuntime(runtimeOptions);
          binary = rt.binary;
          build = rt.build;
          rounding = rt.rounding;
          return null;
        } catch (e) {
          return `simdopt runtime ${JSON.stringify(runtimeOptions)} failed to load: ${(e as Error).message}`;
        }
      })();
      return probe;
    },
    setup: (c, data) => createWasmStepper(runtimeOptions, c, data),
    async describe() {
      return {
        library: "simdopt",
        runtimeOptions,
        binary: binary ?? null,
        build: build ?? null,
        rounding: rounding ?? null,
      };
    },
  };
}
