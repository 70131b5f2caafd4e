/**
 * Picks and instantiates a kernel binary. The bytes are embedded (base64), each binary is compiled
 * once per process and cached, and SIMD support is detected with `WebAssembly.validate` on a tiny
 * module that uses one SIMD instruction. Each binary comes in builds that differ in the memory
 * they import (plain, or shared: a SharedArrayBuffer, where the engine allows one) and in how
 * they round multiply-adds (separately, or fused as torch's float32 CPU kernels do).
 */
import { BINARIES } from "../generated/binaries.js";
import type { KernelTable } from "./kernels.js";

export type WasmBinary = "simd" | "scalar";
/** How multiply-adds are rounded: `separate` (each operation rounded; fastest) or `fused` (rounded
 *  once, as torch's float32 CPU kernels do: float32 results bit-identical to torch's). */
export type Rounding = "separate" | "fused";
export const ROUNDINGS: readonly Rounding[] = ["separate", "fused"];
/** `auto` is SIMD where the engine supports it, scalar otherwise; `reference` is the plain-JS spec. */
export type BinaryChoice = "auto" | WasmBinary | "reference";
export const BINARY_CHOICES: readonly BinaryChoice[] = ["auto", "simd", "scalar", "reference"];

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

let simdSupported: boolean | undefined;

/** True when this engine can run WebAssembly SIMD (checked once). */
export function isSimdSupported(): boolean {
  simdSupported ??= typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  return simdSupported;
}

export function resolveBinary(choice: BinaryChoice): WasmBinary | "reference" {
  if (choice === "auto") return isSimdSupported() ? "simd" : "scalar";
  if (choice === "simd" && !isSimdSupported()) {
    throw new Error("simdopt: binary 'simd' was requested but this engine has no WebAssembly SIMD");
  }
  return choice;
}

const modules = new Map<string, Promise<WebAssembly.Module>>();

/** The compiled build of `binary` for this memory kind and rounding (named as in asconfig.json). */
function compile(binary: WasmBinary, shared: boolean, rounding: Rounding): Promise<WebAssembly.Module> {
  const target = `${binary}${shared ? "-shared" : ""}${rounding === "fused" ? "-fused" : ""}`;
  let module = modules.get(target);
  if (module === undefined) {
    module = WebAssembly.compile(decodeBase64(BINARIES[target]));
    modules.set(target, module);
  }
  return module;
}

/**
 * A memory of `initialPages` pages that can grow to 4 GiB: shared when asked and when the engine
 * allows it (Node and Deno always; browsers only on cross-origin isolated pages), plain otherwise.
 */
export function createMemory(initialPages: number, shared: boolean): WebAssembly.Memory {
  const descriptor = { initial: initialPages, maximum: MAX_PAGES };
  if (shared && typeof SharedArrayBuffer === "function") {
    try {
      return new WebAssembly.Memory({ ...descriptor, shared: true });
    } catch {
      // not cross-origin isolated: fall back to a plain memory
    }
  }
  return new WebAssembly.Memory(descriptor);
}

export const MAX_PAGES = 65536; // 4 GiB, all that wasm32 addresses

export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer;
}

export interface WasmKernels {
  kernels: KernelTable;
  heapBase: number;
}

/** Instantiates `binary` over `memory` (imported as env.memory). */
export async function instantiate(binary: WasmBinary, memory: WebAssembly.Memory, rounding: Rounding): Promise<WasmKernels> {
  const module = await compile(binary, isShared(memory), rounding);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelTable & { heap_base(): number };
  return { kernels: exports, heapBase: exports.heap_base() };
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
