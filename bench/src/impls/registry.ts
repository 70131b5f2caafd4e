/**
 * Every implementation the bench knows, in report order. Adding one is one entry here. simdopt's
 * single-threaded entries ask for `threads: 1` (its default is every core). An entry whose runtime
 * cannot load, or a native one without a C compiler, reports "n/a: <reason>" instead of failing.
 */
import { tfjsImpl } from "./tfjs.js";
import { jsImpl } from "./js.js";
import { nativeImpl } from "./native.js";
import type { Impl } from "./types.js";
import { wasmImpl } from "./wasm.js";
import { wasmThreadsImpl } from "./wasm-threads.js";

export const IMPLS: readonly Impl[] = [
  wasmImpl("wasm-simd", { binary: "simd", threads: 1 }), // the default: torch-exact (relaxed SIMD where it fuses)
  wasmThreadsImpl("wasm-simd-threads", { binary: "simd", threads: 2 }),
  wasmImpl("wasm-simd-separate", { binary: "simd", rounding: "separate", threads: 1 }),
  wasmImpl("wasm-scalar", { binary: "scalar", threads: 1 }),
  nativeImpl("native", 1),
  nativeImpl("native-2t", 2),
  jsImpl,
  tfjsImpl("tfjs-cpu"),
  tfjsImpl("tfjs-wasm"),
];

/** Each multi-threaded implementation's one-thread counterpart: the "vs one thread" ratio. */
export const ONE_THREAD_OF: Readonly<Record<string, string>> = {
  "wasm-simd-threads": "wasm-simd",
  "native-2t": "native",
};

export const IMPL_IDS: readonly string[] = IMPLS.map((i) => i.id);

/** The implementations whose speed is the TF.js baseline ("speed-up over the best TF.js"). */
export const TFJS_IDS: readonly string[] = ["tfjs-cpu", "tfjs-wasm"];

export function findImpl(id: string): Impl {
  const impl = IMPLS.find((i) => i.id === id);
  if (impl === undefined) throw new Error(`unknown implementation '${id}' (known: ${IMPL_IDS.join(", ")})`);
  return impl;
}
