// The low-bit golden vectors (../shared/golden/lowbit, not carried in the repository): every case of
// an optimizer simdopt supports passes the folder's one-step rule, on the SIMD and the scalar binary.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { loadRuntime, type Runtime } from "../dist/index.js";
import { caseProblem } from "../dist/conformance/validate-case.js";
import {
  freeRunningError,
  lowbitUnsupported,
  mapsDifferences,
  runLowbitCase,
  type LowbitCase,
} from "../dist/conformance/lowbit.js";
import { sharedGoldenFolder } from "./helpers.js";

const folder = sharedGoldenFolder("lowbit", "the low-bit golden vectors (bfloat16, 8-bit, 4-bit and FP8 state)");

/** The cases of `file` simdopt runs, and how many it leaves for later. */
function cases(file: string): { run: LowbitCase[]; left: number } {
  if (folder === undefined) return { run: [], left: 0 };
  const all = JSON.parse(readFileSync(join(folder, file), "utf8")).cases as LowbitCase[];
  const run = all.filter((c) => lowbitUnsupported(c) === undefined);
  return { run, left: all.length - run.length };
}

let runtimes: Runtime[];
beforeAll(async () => {
  runtimes = await Promise.all((["simd", "scalar"] as const).map((binary) => loadRuntime({ binary })));
});

describe.skipIf(folder === undefined)("golden/lowbit by the one-step rule", () => {
  // The torchao cases of bfloat16 moments on float32 parameters; every case of torchao's 8-bit,
  // 4-bit and FP8 Adam/AdamW and of bitsandbytes (Adam8bit, AdamW8bit, Lion8bit, SGD8bit,
  // RMSprop8bit, Adagrad8bit).
  test.each([
    ["bf16.json", "some"],
    ["optimizers.json", "all"],
    ["bnb.json", "all"],
  ] as const)("%s: %s of its cases run, and pass", (file, which) => {
    const { run, left } = cases(file);
    expect(run.length).toBeGreaterThan(0);
    if (which === "all") expect(left).toBe(0);
    for (const c of run) {
      expect(caseProblem(c).problem).toBeUndefined();
      for (const runtime of runtimes) {
        const result = runLowbitCase(runtime, c);
        expect(result.error, `${runtime.binary}: ${c.name}`).toBeUndefined();
        expect(result.passed).toBe(true);
      }
    }
  });

  test("run free (informative), every supported case stays within 1e-3 of the reference", () => {
    const errors = ["bf16.json", "optimizers.json", "bnb.json"].flatMap((file) =>
      cases(file).run.map((c) => freeRunningError(runtimes[0], c)),
    );
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toBeLessThan(1e-3);
  });

  test("a wrong step fails the rule: 8-bit RMSprop run as 8-bit Adagrad", () => {
    const c = cases("bnb.json").run.find(
      (x) => x.optimizer === "bnb:rmsprop8bit" && x.options.min_8bit_size === undefined,
    );
    expect(c).toBeDefined();
    const wrong = { ...(c as LowbitCase), optimizer: "bnb:adagrad8bit", options: { lr: (c as LowbitCase).options.lr } };
    expect(runLowbitCase(runtimes[0], wrong).passed).toBe(false);
  });

  test.each([
    ["torchao:adamw4bit", "torchao:adamw8bit"],
    ["torchao:adamwfp8", "torchao:adamw4bit"],
  ])("a wrong format fails the rule: %s run as %s", (optimizer, wrongOptimizer) => {
    const c = cases("optimizers.json").run.find((x) => x.optimizer === optimizer);
    expect(c).toBeDefined();
    const wrong = { ...(c as LowbitCase), optimizer: wrongOptimizer };
    expect(runLowbitCase(runtimes[0], wrong).passed).toBe(false);
  });

  test("the folder's maps are simdopt's, the float8_e4m3fn values (NaN written null) too; a changed value is named", () => {
    const document = JSON.parse(readFileSync(join(folder as string, "maps.json"), "utf8"));
    expect(mapsDifferences(document)).toEqual([]);
    document.maps.float8_e4m3fn.values[0x80] = 0; // −0 in the file
    document.maps.linear4_unsigned.values[3] = 0.26;
    expect(mapsDifferences(document)).toEqual(["linear4_unsigned", "float8_e4m3fn"]);
  });

  test("a wrong step fails the rule: 8-bit Adam run as AdamW", () => {
    const c = cases("optimizers.json").run.find((x) => x.optimizer === "torchao:adam8bit" && x.options.weight_decay);
    expect(c).toBeDefined();
    const wrong = { ...(c as LowbitCase), optimizer: "torchao:adamw8bit" };
    expect(runLowbitCase(runtimes[0], wrong).passed).toBe(false);
  });
});
