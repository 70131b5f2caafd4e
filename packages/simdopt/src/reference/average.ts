import type { ReferenceRule } from "./kernels.js";
import { lerp } from "./lerp.js";

/** A running average of parameters, the specification of `average_f32` and `average_f64` (see src/averaging/weight-average.ts). */
export const averageReference: ReferenceRule<"average"> = (r, { param, average }, { weight, updates }, flags) => {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    if (flags.first) average[i] = p;
    else if (flags.equalWeights) average[i] = r(average[i] + r(r(p - average[i]) / updates));
    else average[i] = lerp(r, average[i], p, weight, flags.fromEnd);
  }
};
