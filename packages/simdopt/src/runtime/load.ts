/**
 * Picks a kernel binary along its axes (assembly/build.js) and instantiates it over a memory. The
 * bytes of each binary are embedded (base64) in a module of their own, imported on first use, so
 * a bundle carries only the binaries it loads; each is compiled once per process and cached. SIMD
 * support is detected with `WebAssembly.validate` on a tiny module; relaxed SIMD by validating the
 * relaxed binary, then asking it whether its multiply-add rounds once on this machine.
 *
 * Instantiation is plain `WebAssembly.instantiate` with the memory as `env.memory`: the kernels
 * take only numbers (no strings or arrays to lift, no managed runtime), so @assemblyscript/loader
 * would add nothing here but a dependency with a bare module specifier, which unbundled pages and
 * Deno without node_modules cannot resolve.
 */
import { BINARY_AXES, BINARY_BYTES, type BinaryName } from "../generated/binaries.js";
import { instantiateModule, type WasmKernels } from "./instance.js";

export type WasmBinary = "simd" | "scalar";
/**
 * How multiply-adds are rounded: `fused` (rounded once, as torch's float32 CPU kernels round them:
 * float32 results bit-identical to torch's; the default) or `separate` (the product rounded, then
 * the sum: a few units in the last place away from torch). float64 is rounded separately in both.
 */
export type Rounding = "fused" | "separate";
export const ROUNDINGS: readonly Rounding[] = Object.freeze(["fused", "separate"]);
/** `auto` is SIMD where the engine supports it, scalar otherwise; `reference` is the plain-JS spec. */
export type BinaryChoice = "auto" | WasmBinary | "reference";
export const BINARY_CHOICES: readonly BinaryChoice[] = Object.freeze(["auto", "simd", "scalar", "reference"]);
export type { BinaryName, WasmKernels };

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
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

const modules = new Map<BinaryName, Promise<WebAssembly.Module>>();

function compile(name: BinaryName): Promise<WebAssembly.Module> {
  let module = modules.get(name);
  if (module === undefined) {
    module = BINARY_BYTES[name]().then((base64) => WebAssembly.compile(decodeBase64(base64)));
    modules.set(name, module);
  }
  return module;
}

/** The binary with these axes (see assembly/build.js for the names). */
export function binaryName(
  instructions: WasmBinary,
  shared: boolean,
  multiplyAdd: "separate" | "fused" | "relaxed",
): BinaryName {
  const name = [instructions, shared && "shared", multiplyAdd !== "separate" && multiplyAdd].filter(Boolean).join("-");
  if (!(name in BINARY_AXES)) throw new Error(`simdopt: no binary '${name}' was built`);
  return name as BinaryName;
}

const relaxedFused = new Map<BinaryName, Promise<boolean>>();

/**
 * True when the relaxed-SIMD binary validates here and its multiply-add rounds once in every lane
 * (checked once per kind of memory: it is a property of the engine and the machine). Where it is
 * false, the emulated fused binary computes the same bits, more slowly. Given a shared memory, the
 * probe is the shared binary instantiated over it, the one a runtime over that memory then uses,
 * so that a page fetches one binary.
 */
export function relaxedSimdFuses(memory?: WebAssembly.Memory): Promise<boolean> {
  const shared = memory !== undefined && isShared(memory);
  const name = binaryName("simd", shared, "relaxed");
  const known = relaxedFused.get(name);
  if (known !== undefined) return known;
  const probe = (async () => {
    try {
      const instance = await WebAssembly.instantiate(await compile(name), {
        env: { memory: shared ? memory : new WebAssembly.Memory({ initial: 1 }) },
      });
      return (instance.exports as unknown as { multiply_add_fused(): number }).multiply_add_fused() === 1;
    } catch {
      modules.delete(name); // the engine has no relaxed SIMD
      return false;
    }
  })();
  relaxedFused.set(name, probe);
  return probe;
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

/**
 * Instantiates binary `name` over `memory` (imported as env.memory), checking that it exports every
 * kernel of the layouts this package was built with.
 */
export async function instantiate(name: BinaryName, memory: WebAssembly.Memory): Promise<WasmKernels> {
  return instantiateModule(await compile(name), name, memory);
}

/** Binary `name`, compiled (once per process): what a runtime hands its worker threads. */
export function compiledBinary(name: BinaryName): Promise<WebAssembly.Module> {
  return compile(name);
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
