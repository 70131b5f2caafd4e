// Every optimizer and trajectory case of the golden vectors (torch.optim), on every binary.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { caseKind, loadRuntime, runOptimizerCase, runTrajectoryCase, type OptimizerCase, type Runtime, type TrajectoryCase } from "../dist/index.js";
import { GOLDEN_DIR } from "./helpers.js";

const cases = readdirSync(GOLDEN_DIR)
  .filter((name) => name.endsWith(".json"))
  .flatMap((file) => (JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8")).cases as Record<string, unknown>[]).map((c) => ({ file, c })))
  .filter(({ c }) => caseKind(c) === "optimizer" || caseKind(c) === "trajectory");

test("the golden folder holds optimizer and trajectory cases", () => {
  expect(cases.filter(({ c }) => caseKind(c) === "optimizer").length).toBeGreaterThan(0);
  expect(cases.filter(({ c }) => caseKind(c) === "trajectory").length).toBeGreaterThan(0);
});

describe.each(["simd", "scalar", "reference"] as const)("golden vectors on %s", (binary) => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await loadRuntime({ binary });
  });
  test.each(cases.map(({ file, c }) => ({ file, name: (c.name as string | undefined) ?? JSON.stringify(c).slice(0, 80), c })))(
    "$file: $name",
    ({ c }) => {
      const result = caseKind(c) === "optimizer"
        ? runOptimizerCase(runtime, c as unknown as OptimizerCase)
        : runTrajectoryCase(runtime, c as unknown as TrajectoryCase);
      expect(result.error).toBeUndefined();
      expect(result.maxError).toBeLessThanOrEqual(result.tolerance);
      expect(result.passed).toBe(true);
    },
  );
});
