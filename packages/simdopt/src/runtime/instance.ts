/**
 * Instantiates a compiled kernel binary over a memory (imported as `env.memory`) and checks that it
 * exports every kernel of the layouts this package was built with. Apart from load.ts, which
 * compiles the binaries, so that a worker thread, which is handed the calling thread's compiled
 * module, imports no binary (and a bundler gives the worker no chunk to split off).
 */
import { LAYOUT_FINGERPRINT } from "../generated/kernels.js";
import { gradKernelsOf, type GradKernels } from "./grad-kernels.js";
import { KERNEL_NAMES, ROWS_KERNEL_NAMES, type Dtype, type KernelTable } from "./kernels.js";

export interface WasmKernels {
  kernels: KernelTable;
  gradKernels: Record<Dtype, GradKernels>;
  heapBase: number;
}

/** Instantiates `module` (binary `name`, for messages) over `memory`, checking its exports. */
export async function instantiateModule(
  module: WebAssembly.Module,
  name: string,
  memory: WebAssembly.Memory,
): Promise<WasmKernels> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const table = instance.exports as unknown as Record<string, unknown> & {
    heap_base(): number;
    layout_fingerprint(): number;
  };
  if (typeof table.layout_fingerprint !== "function" || table.layout_fingerprint() >>> 0 !== LAYOUT_FINGERPRINT) {
    throw new Error(
      `simdopt: binary '${name}' was built from other kernel declarations than this package (rebuild both)`,
    );
  }
  const exportNames = [...KERNEL_NAMES, ...ROWS_KERNEL_NAMES.map((kernel) => `${kernel}_rows`)];
  for (const kernel of exportNames) {
    for (const suffix of ["f32", "f64"]) {
      const exported = table[`${kernel}_${suffix}`];
      if (typeof exported !== "function" || exported.length !== 3) {
        throw new Error(`simdopt: binary '${name}' lacks the kernel ${kernel}_${suffix}(table, count, scalars)`);
      }
    }
  }
  return {
    kernels: table as unknown as KernelTable,
    gradKernels: gradKernelsOf(table, name),
    heapBase: table.heap_base(),
  };
}
