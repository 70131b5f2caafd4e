/**
 * Every implementation the bench knows, in report order. Adding one (e.g. simdopt's threaded
 * build, once it exists) is one entry here:
 *
 *     wasmImpl('wasm-simd-threads', { binary: 'simd', threads: 'auto' }),
 *
 * An entry whose runtime cannot load reports "n/a: <reason>" instead of failing the bench.
 */
import { tfjsImpl } from './tfjs.js';
import { jsImpl } from './js.js';
import type { Impl } from './types.js';
import { wasmImpl } from './wasm.js';

export const IMPLS: readonly Impl[] = [
  wasmImpl('wasm-simd', { binary: 'simd' }), // the default: torch-exact (relaxed SIMD where it fuses)
  wasmImpl('wasm-simd-separate', { binary: 'simd', rounding: 'separate' }),
  wasmImpl('wasm-scalar', { binary: 'scalar' }),
  jsImpl,
  tfjsImpl('tfjs-cpu'),
  tfjsImpl('tfjs-wasm'),
];

export const IMPL_IDS: readonly string[] = IMPLS.map((i) => i.id);

/** The implementations whose speed is the TF.js baseline ("speed-up over the best TF.js"). */
export const TFJS_IDS: readonly string[] = ['tfjs-cpu', 'tfjs-wasm'];

export function findImpl(id: string): Impl {
  const impl = IMPLS.find((i) => i.id === id);
  if (impl === undefined) throw new Error(`unknown implementation '${id}' (known: ${IMPL_IDS.join(', ')})`);
  return impl;
}
