// The conformance command: counts, the failing-case lines, skipped kinds and the exit status.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { GOLDEN_DIR } from "./helpers.js";

const CLI = fileURLToPath(new URL("../dist/cli/conformance.js", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

test("the golden folder passes, schedules and clipping are skipped with a notice", () => {
  const { status, stdout } = run(GOLDEN_DIR);
  const lines = stdout.trim().split("\n");
  expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(Number(lines.at(-1)!.split(" ")[0])).toBeGreaterThan(0);
  expect(stdout).toMatch(/skipped .*schedules\.json: \d+ learning-rate schedule cases/);
  expect(stdout).toMatch(/skipped .*clipping\.json: \d+ gradient clipping cases/);
  expect(status).toBe(0);
});

test("a wrong expectation fails its case with its largest error, and the exit status is 1", () => {
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, "optimizers.json"), "utf8"));
  const cases = golden.cases.slice(0, 3);
  cases[1].params[0].expected[4][2] += 1e-3; // torch's value moved by 1e-3
  const file = join(mkdtempSync(join(tmpdir(), "simdopt-")), "tampered.json");
  writeFileSync(file, JSON.stringify({ ...golden, cases }));
  for (const [binary, rounding] of [["simd", "separate"], ["scalar", "fused"], ["reference", "fused"]]) {
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
  expect(stdout).toMatch(/Exit status: 0 when no case failed, 1 when a case failed .*, 2 for bad arguments/);
  expect(run("-h").stdout).toBe(stdout);
});

test("npm run conformance runs the repository's golden/ unless a file or folder is named", () => {
  const script = fileURLToPath(new URL("../../../scripts/conformance.mjs", import.meta.url));
  const byDefault = spawnSync(process.execPath, [script, "--binary", "scalar"], { encoding: "utf8" });
  expect(byDefault.stdout).toMatch(/skipped golden\/schedules\.json: \d+ learning-rate schedule cases/);
  expect(byDefault.stdout.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(byDefault.status).toBe(0);
  const named = spawnSync(process.execPath, [script, "--rounding", "separate", "golden/trajectories.json"], { encoding: "utf8" });
  expect(named.stdout).not.toContain("schedules.json");
  expect(named.stdout).toMatch(/conformance \(simd(-shared)? kernels, separate rounding\)/);
  expect(named.status).toBe(0);
});
