// The kernel ABI: every export of every binary (all binaries export the same names). Each
// optimizer's kernels `<name>_f32` and `<name>_f64` are generated from its declaration,
// optimizers/<name>.json (see generate.js for the table and scalar layout). Kernels are pure: no
// globals, no allocation; the host owns the memory, the step counters and every per-step scalar.
export * from "./generated/kernels";
export { multiply_add_fused } from "./probe";

/** First byte after the binary's own static data: the host allocates from here up. */
export function heap_base(): usize {
  return __heap_base;
}
// Gradient clipping and the non-finite check: reductions and rescaling over the same tables.
export * from "./clipping";
