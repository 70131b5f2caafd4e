/**
 * Node 20's V8 (11.3) has WebAssembly relaxed SIMD behind a flag; Node 22, Deno and browsers have
 * it on. simdopt's torch-exact default uses relaxed SIMD's multiply-add where it rounds once, and
 * otherwise emulates that fused multiply-add, several times more slowly. The benchmark measures what
 * a Node 20 user gets by starting node with `--experimental-wasm-relaxed-simd`, so it turns that
 * flag on for its own process before any binary is compiled (imported first by main.ts), and the
 * environment in the results records it. V8 flags are process-wide: worker threads see it too.
 */
import process from "node:process";
import v8 from "node:v8";

export const RELAXED_SIMD_FLAG = "--experimental-wasm-relaxed-simd";

/** The V8 flags this process turned on for itself (recorded in the results' environment). */
export const v8FlagsSet: string[] = [];

const node = typeof process?.versions?.node === "string" && !("Deno" in globalThis);
if (node && Number(process.versions.node.split(".")[0]) < 22 && process.env.SIMDOPT_BENCH_NO_FLAGS !== "1") {
  v8.setFlagsFromString(RELAXED_SIMD_FLAG);
  v8FlagsSet.push(RELAXED_SIMD_FLAG);
}
