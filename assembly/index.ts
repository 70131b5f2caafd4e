// The kernel ABI: every export of every binary (the SIMD and the scalar build export the same
// names). Pointers are byte addresses into the imported memory, `n` counts elements, scalars
// follow in float32 or float64 as the suffix says, flags last. Kernels are pure: no globals, no
// allocation; the host owns the memory, the step counters and every per-step scalar.
export { sgd_step_f32, sgd_step_f64 } from "./optimizers/sgd";
export { adam_step_f32, adam_step_f64 } from "./optimizers/adam";
export { adamax_step_f32, adamax_step_f64 } from "./optimizers/adamax";
export { nadam_step_f32, nadam_step_f64 } from "./optimizers/nadam";
export { radam_step_f32, radam_step_f64 } from "./optimizers/radam";
export { adagrad_step_f32, adagrad_step_f64 } from "./optimizers/adagrad";
export { adadelta_step_f32, adadelta_step_f64 } from "./optimizers/adadelta";
export { rmsprop_step_f32, rmsprop_step_f64 } from "./optimizers/rmsprop";
export { rprop_step_f32, rprop_step_f64 } from "./optimizers/rprop";

/** First byte after the binary's own static data: the host allocates from here up. */
export function heap_base(): usize {
  return __heap_base;
}
