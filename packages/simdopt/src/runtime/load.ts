/**
 * Picks and instantiates a kernel binary. The bytes are embedded (base64), each binary is compiled
 * once per process and cached, and SIMD support is detected with `WebAssembly.validate` on a tiny
 * module that uses one SIMD instruction. Each binary comes in two builds that differ only in the
 * memory they import: plain, or shared (a SharedArrayBuffer, where the engine allows one).
 */
import { scalarSharedWasm, scalarWasm, simdSharedWasm, simdWasm } from "../generated/binaries.js";
import type { KernelTable } from "./kernels.js";

export type WasmBinary = "simd" | "scalar";
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

const BYTES = {
  simd: { plain: simdWasm, shared: simdSharedWasm },
  scalar: { plain: scalarWasm, shared: scalarSharedWasm },
};
const modules = new Map<string, Promise<WebAssembly.Module>>();

function compile(binary: WasmBinary, shared: boolean): Promise<WebAssembly.Module> {
  const key = `${binary}/${shared}`;
  let module = modules.get(key);
  if (module === undefined) {
    module = WebAssembly.compile(decodeBase64(BYTES[binary][shared ? "shared" : "plain"]));
    modules.set(key, module);
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
export async function instantiate(binary: WasmBinary, memory: WebAssembly.Memory): Promise<WasmKernels> {
  const instance = await WebAssembly.instantiate(await compile(binary, isShared(memory)), { env: { memory } });
  const exports = instance.exports as unknown as KernelTable & { heap_base(): number };
  return { kernels: exports, heapBase: exports.heap_base() };
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
