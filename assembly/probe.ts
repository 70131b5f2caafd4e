import { fma } from "./lib/lanes";

/**
 * True when this binary's float32 multiply-add rounds once in every lane of the vector body and in
 * the tail. The host asks this of a binary built on relaxed SIMD before using it: `relaxed_madd`
 * may round once or twice depending on the machine, and results must not depend on the machine.
 * The cases are products that land near a float32 midpoint, where one rounding and two differ.
 */
export function multiply_add_fused(): bool {
  const a: f32 = 1 + 1.0 / 4096; // 1 + 2⁻¹²: a·a = 1 + 2⁻¹¹ + 2⁻²⁴, a tie in float32
  const tiny: f32 = reinterpret<f32>(0x21800000); // 2⁻⁶⁰
  const fusedUp: f32 = 1 + 1.0 / 2048 + 1.0 / 8388608; // 1 + 2⁻¹¹ + 2⁻²³
  const down: f32 = 1 + 1.0 / 2048;
  let fused = fma<f32, f32>(a, a, tiny) == fusedUp && fma<f32, f32>(a, a, -tiny) == down;
  if (ASC_FEATURE_SIMD) {
    const av = f32x4.splat(a);
    const c = f32x4(tiny, -tiny, tiny, -tiny);
    const expected = f32x4(fusedUp, down, fusedUp, down);
    const r1 = fma<f32, v128>(av, av, c);
    const r2 = fma<f32, v128>(av, av, v128.shuffle<f32>(c, c, 1, 0, 3, 2));
    fused = fused && v128.all_true<i32>(f32x4.eq(r1, expected))
      && v128.all_true<i32>(f32x4.eq(r2, v128.shuffle<f32>(expected, expected, 1, 0, 3, 2)));
  }
  return fused;
}
