// The benchmark collects the garbage before each timed block, under Node (settle-heap.ts).
import { expect, test } from "vitest";
import { v8FlagsSet } from "../src/relaxed-simd.js";
import { settleHeap } from "../src/settle-heap.js";

test("settleHeap collects an unreachable object now, and the flag it set is recorded", async () => {
  expect(v8FlagsSet).toContain("--expose-gc");
  const ref = (() => new WeakRef(new Float64Array(1 << 20)))();
  // A WeakRef's target stays alive until the current job ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  await settleHeap();
  expect(ref.deref()).toBeUndefined();
});
