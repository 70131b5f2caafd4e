// The conformance command: counts, the failing-case lines, skipped kinds and the exit status.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { GOLDEN_DIR } from "./helpers.js";

const CLI = fileURLToPath(new URL("../dist/cli/conformance.js", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

test("the golden folder passes, every case of its four files counted; optimizers bit-identical in float32", () => {
  const { status, stdout } = run(GOLDEN_DIR);
  const lines = stdout.trim().split("\n");
  const counted = ["optimizers.json", "trajectories.json", "clipping.json", "schedules.json"].reduce(
    (sum, file) => sum + JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8")).cases.length,
    0,
  );
  expect(lines.at(-1)).toBe(`${counted} passed, 0 failed`);
  expect(stdout).not.toMatch(/skipped/);
  expect(stdout).toMatch(/^largest optimizer float32 error: 0 \(relative, over \d+ cases\)$/m);
  expect(stdout).toMatch(/^largest schedule float64 error: /m);
  expect(status).toBe(0);
});

describe("malformed files and cases fail, naming file, case and field, with exit status 1", () => {
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, "optimizers.json"), "utf8"));
  const clipping = JSON.parse(readFileSync(join(GOLDEN_DIR, "clipping.json"), "utf8"));
  const write = (document: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), "simdopt-")), "malformed.json");
    writeFileSync(file, JSON.stringify(document));
    return file;
  };
  const first = golden.cases[0];
  test.each([
    [
      "a case with no steps (never vacuously passed)",
      { ...golden, cases: [{ ...first, steps: undefined }] },
      /case 0 \(.*\): malformed: field 'steps' must be a whole number > 0/,
    ],
    [
      "a case with fewer gradients than steps",
      { ...golden, cases: [{ ...first, params: [{ ...first.params[0], grads: first.params[0].grads.slice(1) }] }] },
      /field 'params\[0\]\.grads' must be an array of \d+ arrays/,
    ],
    [
      "a null case (no stack trace)",
      { ...golden, cases: [null, first] },
      /case 0: malformed: the case is null, not an object/,
    ],
    [
      "a wrong format",
      { ...golden, format: "optimizer-golden/2" },
      /field 'format' is "optimizer-golden\/2", expected "optimizer-golden\/1"/,
    ],
    ["no cases", { format: golden.format }, /field 'cases' must be an array of cases/],
    [
      "a case of no known kind",
      { ...golden, cases: [{ name: "mystery" }] },
      /case 0 \(mystery\): malformed: the case is of no known kind/,
    ],
    [
      "a string among the numbers",
      {
        ...golden,
        cases: [{ ...first, params: [{ ...first.params[0], init: ["1", ...first.params[0].init.slice(1)] }] }],
      },
      /field 'params\[0\]\.init\[0\]' must be a number, got "1"/,
    ],
    [
      "a clipping case without max_norm",
      { ...clipping, cases: [{ ...clipping.cases[0], options: {} }] },
      /field 'options\.max_norm' must be a positive number/,
    ],
  ])("%s", (_label, document, message) => {
    const file = write(document);
    const { status, stdout } = run(file);
    expect(stdout).toContain(`FAIL ${file}`);
    expect(stdout).toMatch(message);
    expect(stdout).not.toMatch(/\n\s+at /); // no stack trace
    expect(status).toBe(1);
  });
});

test("a file's source picks the torch version: both the torch 1.13 and the torch 2 files pass", () => {
  const { status, stdout } = run(GOLDEN_DIR, join(GOLDEN_DIR, "torch2"));
  expect(stdout.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(status).toBe(0);
  // torch 2's NAdam cases labelled as torch 1.13 fail: the source, not the case, chose the μ product.
  const torch2 = JSON.parse(readFileSync(join(GOLDEN_DIR, "torch2", "optimizers.json"), "utf8"));
  const nadam = torch2.cases.filter((c: { optimizer: string }) => c.optimizer === "nadam");
  const file = join(mkdtempSync(join(tmpdir(), "simdopt-")), "relabelled.json");
  writeFileSync(file, JSON.stringify({ ...torch2, source: "torch 1.13.0 torch.optim", cases: nadam }));
  expect(run(file).stdout.trim().split("\n").at(-1)).toBe(`0 passed, ${nadam.length} failed`);
});

test("a wrong expectation fails its case with its largest error, and the exit status is 1", () => {
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, "optimizers.json"), "utf8"));
  const cases = golden.cases.slice(0, 3);
  cases[1].params[0].expected[4][2] += 1e-3; // torch's value moved by 1e-3
  const file = join(mkdtempSync(join(tmpdir(), "simdopt-")), "tampered.json");
  writeFileSync(file, JSON.stringify({ ...golden, cases }));
  for (const [binary, rounding] of [
    ["simd", "separate"],
    ["scalar", "fused"],
    ["reference", "fused"],
  ]) {
    const { status, stdout } = run(file, "--binary", binary, "--rounding", rounding);
    expect(stdout).toContain(`FAIL ${file}: ${cases[1].name}: largest error`);
    expect(stdout.trim().split("\n").at(-1)).toBe("2 passed, 1 failed");
    expect(status).toBe(1);
  }
});

test("bad arguments exit with status 2 and the usage", () => {
  expect(run().status).toBe(2);
  expect(run("/no/such/file").stderr).toMatch(/no such file or folder/);
  expect(run(GOLDEN_DIR, "--binary", "gpu").stderr).toMatch(/--binary must be one of/);
  expect(run(GOLDEN_DIR, "--rounding", "exact").stderr).toMatch(/--rounding must be one of/);
});

test("--help tells the input format, the rounding default and the exit statuses, on stdout, and exits 0", () => {
  const { status, stdout, stderr } = run("--help");
  expect(status).toBe(0);
  expect(stderr).toBe("");
  expect(stdout).toMatch(/^usage: simdopt-conformance <file-or-folder>\.\.\./);
  expect(stdout).toContain("optimizer-golden/1");
  expect(stdout).toMatch(/--rounding <r> +fused \(default/);
  expect(stdout).toMatch(
    /Exit status: 0 when every case ran and passed, 1 when a case failed, was not yet supported [\s\S]*, 2 for bad arguments/,
  );
  expect(run("-h").stdout).toBe(stdout);
});

test("npm run conformance runs the repository's golden/ unless a file or folder is named", () => {
  const script = fileURLToPath(new URL("../../../scripts/conformance.mjs", import.meta.url));
  const byDefault = spawnSync(process.execPath, [script, "--binary", "scalar"], { encoding: "utf8" });
  expect(byDefault.stdout).toMatch(/^largest schedule float64 error: /m); // golden/schedules.json ran
  expect(byDefault.stdout.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(byDefault.status).toBe(0);
  const named = spawnSync(process.execPath, [script, "--rounding", "separate", "golden/trajectories.json"], {
    encoding: "utf8",
  });
  expect(named.stdout).not.toContain("schedules.json");
  expect(named.stdout).toMatch(/conformance \(simd(-shared)? kernels, separate rounding\)/);
  expect(named.status).toBe(0);
});

test("families not yet supported are listed by name, not run and not passed: exit status 1", () => {
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, "optimizers.json"), "utf8"));
  const dir = mkdtempSync(join(tmpdir(), "simdopt-"));
  const lbfgs = { name: "rosenbrock/lbfgs", function: "rosenbrock", optimizer: "lbfgs", start: [0, 0], steps: 1 };
  const muon = { ...golden.cases[0], name: "muon/x", optimizer: "muon" };
  writeFileSync(join(dir, "only-lbfgs.json"), JSON.stringify({ ...golden, cases: [lbfgs] }));
  const onlyLbfgs = run(join(dir, "only-lbfgs.json"));
  expect(onlyLbfgs.stdout).toContain("only-lbfgs.json: lbfgs 1 (no case of this file ran): not run, not passed");
  expect(onlyLbfgs.stdout.trim().split("\n").at(-1)).toBe("0 passed, 0 failed, 1 not yet supported (lbfgs 1)");
  expect(onlyLbfgs.status).toBe(1);
  writeFileSync(join(dir, "mixed.json"), JSON.stringify({ ...golden, cases: [golden.cases[0], muon] }));
  const mixed = run(join(dir, "mixed.json"));
  expect(mixed.stdout).toContain("mixed.json: muon 1: not run, not passed");
  expect(mixed.stdout.trim().split("\n").at(-1)).toBe("1 passed, 0 failed, 1 not yet supported (muon 1)");
  expect(mixed.status).toBe(1);
});
