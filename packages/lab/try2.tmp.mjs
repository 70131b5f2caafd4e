import { loadRuntime } from "simdopt";
import { loadDigits } from "./dist/train/digits.js";
import { train } from "./dist/train/train.js";
import { DIGIT_OPTIMIZERS } from "./dist/train/settings.js";
const rt = await loadRuntime();
let t = performance.now();
const data = loadDigits();
console.log("load", performance.now() - t, data.train.count, data.test.count);
for (const o of DIGIT_OPTIMIZERS) {
  t = performance.now();
  const r = train(rt, data, o.optimizer, o.options, { epochs: 1 });
  console.log(
    o.label,
    r.testAccuracy.map((a) => a.toFixed(3)).join(" "),
    r.msPerEpoch.map(Math.round),
    Math.round(performance.now() - t),
  );
}
