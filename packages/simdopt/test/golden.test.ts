// Every optimizer and trajectory case of the golden vectors (torch.optim), on every binary.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  caseKind, loadRuntime, runClippingCase, runOptimizerCase, runTrajectoryCase,
  type ClippingCase, type OptimizerCase, type Runtime, type TrajectoryCase,
} from "../dist/index.js";
import { GOLDEN_DIR } from "./helpers.js";

const cases = readdirSync(GOLDEN_DIR)
  .filter((name) => name.endsWith(".json"))
  .flatMap((file) => (JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8")).cases as Record<string, unknown>[]).map((c) => ({ file, c })))
  .filter(({ c }) => ["optimizer", "trajectory", "clipping"].includes(caseKind(c)));

test("the golden folder holds optimizer, trajectory and clipping cases", () => {
  expect(cases.filter(({ c }) => caseKind(c) === "clipping").length).toBeGreaterThan(0);
  expect(cases.filter(({ c }) => caseKind(c) === "optimizer").length).toBeGreaterThan(0);
  expect(cases.filter(({ c }) => caseKind(c) === "trajectory").length).toBeGreaterThan(0);
});

const RUNS = (["simd", "scalar", "reference"] as const).flatMap((binary) =>
  (["separate", "fused"] as const).map((rounding) => ({ binary, rounding })));

describe.each(RUNS)("golden vectors on $binary with $rounding rounding", ({ binary, rounding }) => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await loadRuntime({ binary, rounding });
  });
  test.each(cases.map(({ file, c }) => ({ file, name: (c.name as string | undefined) ?? JSON.stringify(c).slice(0, 80), c })))(
    "$file: $name",
    ({ c }) => {
      const kind = caseKind(c);
      const result = kind === "optimizer"
        ? runOptimizerCase(runtime, c as unknown as OptimizerCase)
        : kind === "clipping"
          ? runClippingCase(runtime, c as unknown as ClippingCase)
          : runTrajectoryCase(runtime, c as unknown as TrajectoryCase);
      expect(result.error).toBeUndefined();
      expect(result.maxError).toBeLessThanOrEqual(result.tolerance);
      expect(result.passed).toBe(true);
      // Fused multiply-adds reproduce torch's float32 arithmetic: not just within the tolerance,
      // but to within a hundredth of it (separately rounded operations drift by up to a tenth).
      if (rounding === "fused" && c.dtype === "float32") expect(result.maxError).toBeLessThanOrEqual(result.tolerance / 100);
    },
  );
});
