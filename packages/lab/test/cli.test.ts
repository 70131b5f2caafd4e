// The command line as a user runs it: --help on every command, refusals that name the flag, and the
// files each command writes.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

const CLI = fileURLToPath(new URL("../bin/simdopt-lab.js", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "simdopt-lab-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
/** A file where a folder of the output path should be. */
const blocker = join(out, "a-file");
writeFileSync(blocker, "");

async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("--help lists the commands, and every command has its own", async () => {
  const top = await lab("--help");
  expect(top.code).toBe(0);
  const names = ["trajectories", "responses", "train", "lstm", "word2vec", "gallery"];
  const helps = await Promise.all(names.map((name) => lab(name, "--help")));
  names.forEach((name, k) => {
    expect(top.stdout).toContain(name);
    expect(helps[k].code).toBe(0);
    expect(helps[k].stdout).toContain(`Usage: simdopt-lab ${name} [options]`);
    expect(helps[k].stdout).toContain("--out VALUE");
  });
});

test("bad input is refused by name and writes nothing", async () => {
  const cases: [string[], RegExp][] = [
    [["paint"], /unknown command 'paint'/],
    [["trajectories", "--colour", "red"], /trajectories: Unknown option '--colour'/],
    [["trajectories", "--function", "himmelblau", "--out", join(out, "bad")], /unknown function 'himmelblau'/],
    [["trajectories", "--steps=-3", "--out", join(out, "bad")], /--steps got '-3'/],
    [["trajectories", "--start", "1", "--out", join(out, "bad")], /--start takes two numbers as x,y, got '1'/],
    [["train", "--epochs", "zero", "--out", join(out, "bad")], /--epochs got 'zero'/],
    [["train", "--epochs", "0.0001", "--out", join(out, "bad")], /--epochs 0\.0001 is less than one batch/],
    [["train", "--hidden", "100000000", "--out", join(out, "bad")], /--hidden got '100000000'/],
    [["train", "--train-size", "9000", "--out", join(out, "bad")], /--train-size got '9000'/],
    [["gallery", "--epochs", "0.00001", "--out", join(out, "bad")], /--epochs 0\.00001 is less than one batch/],
    [["trajectories", "--lr-scale", "1e308", "--out", join(out, "bad")], /--lr-scale got '1e308'/],
    [["word2vec", "--vocab", "1", "--out", join(out, "bad")], /--vocab got '1'/],
    [["word2vec", "--epochs", "1.5", "--out", join(out, "bad")], /--epochs got '1.5'/],
    [["word2vec", "--optimizers", "SGD,Adam", "--out", join(out, "bad")], /unknown optimizer 'Adam'/],
    [["gallery", "--word2vec-words", "5", "--out", join(out, "bad")], /--word2vec-words got '5'/],
    // An output folder that cannot be written is refused before any work, naming --out.
    ...["train", "trajectories", "responses", "word2vec", "gallery"].map((command): [string[], RegExp] => [
      [command, "--out", join(blocker, "bad")],
      /--out '.*' cannot be written: .* is not a folder/,
    ]),
  ];
  const runs = await Promise.all(cases.map(([args]) => lab(...args)));
  runs.forEach((run, k) => {
    expect(run.code, cases[k][0].join(" ")).toBe(1);
    expect(run.stderr).toMatch(cases[k][1]);
  });
  expect(existsSync(join(out, "bad"))).toBe(false);
});

test("trajectories writes the still and animated pictures, with PNGs when asked", async () => {
  const run = await lab(
    "trajectories",
    "--function",
    "beale,quadratic_b",
    "--optimizers",
    "Adam,Nesterov",
    "--steps",
    "30",
    "--start",
    "1,-1",
    "--png",
    "--animate",
    "--out",
    out,
  );
  expect(run.code, run.stderr).toBe(0);
  for (const name of [
    "trajectories-beale.svg",
    "trajectories-beale.png",
    "trajectories-beale-animated.svg",
    "trajectories-quadratic_b.png",
  ]) {
    expect(existsSync(join(out, name)), name).toBe(true);
  }
  expect(readFileSync(join(out, "trajectories-beale.svg"), "utf8")).toContain("Nesterov");
  expect(run.stderr).toContain("trajectories: 100%"); // progress, on standard error
});

test("gallery writes every picture and pages that show them all", async () => {
  const dir = join(out, "gallery");
  const run = await lab(
    "gallery",
    "--epochs",
    "0.1",
    "--train-size",
    "400",
    "--lstm-epochs",
    "0.05",
    "--word2vec-words",
    "3000",
    "--word2vec-vocab",
    "200",
    "--word2vec-epochs",
    "1",
    "--out",
    dir,
  );
  expect(run.code, run.stderr).toBe(0);
  const files = readdirSync(dir);
  const pngs = files.filter((f) => f.endsWith(".png"));
  expect(pngs.length).toBe(10 + 9 * 6 + 2 + 2 + 1 + 1); // trajectories, responses, training, low-bit state, language model, word2vec
  expect(files.filter((f) => f.endsWith("-animated.svg"))).toHaveLength(10);
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const markdown = readFileSync(join(dir, "README.md"), "utf8");
  for (const png of pngs) {
    expect(html).toContain(`src="${png}"`);
    expect(markdown).toContain(`(${png})`);
  }
  expect(markdown).toMatch(/\| Adam \| .* \| \d+\.\d\d% \| \d+\.\d{4} \| \d+\.\d\d s \| \d+\.\d ms \|/);
  expect(existsSync(join(dir, "train-results.json"))).toBe(true);
  expect(readFileSync(join(dir, "train-loss.svg"), "utf8")).toContain(">Training loss (running mean over batches)<");
  expect(markdown).toMatch(/\| Adam, 8bit state \| .* \| \d+\.\d\d% \| [−+]?\d\.\d\d points \|/);
  expect(markdown).toMatch(/\| AdamWScheduleFree \| `schedulefree:adamw .*` \| \d\.\d{3} \| \d\.\d{3} \|/);
  expect(html).toContain("<pre>Sampled at temperature 0.7");
  for (const name of ["train-states-results.json", "lstm-results.json"]) expect(existsSync(join(dir, name))).toBe(true);
  expect(markdown).toMatch(/\| SparseAdam \| [\d.]+ ms \| Adam \| [\d.]+ ms \| [\d.]+x \|/);
  expect(html).toContain("<th>word</th><th>SGD</th>");
  expect(existsSync(join(dir, "word2vec-results.json"))).toBe(true);
});

test("word2vec writes the loss curves, the tables and the figures", async () => {
  const dir = join(out, "word2vec");
  const run = await lab(
    "word2vec",
    "--optimizers",
    "SGD,SparseAdam",
    "--words",
    "3000",
    "--vocab",
    "200",
    "--dim",
    "8",
    "--epochs",
    "2",
    "--png",
    "--out",
    dir,
  );
  expect(run.code, run.stderr).toBe(0);
  expect(readdirSync(dir).sort()).toEqual([
    "word2vec-loss.png",
    "word2vec-loss.svg",
    "word2vec-results.json",
    "word2vec-results.md",
  ]);
  const table = readFileSync(join(dir, "word2vec-results.md"), "utf8");
  expect(table).toContain("3,000 words of the State of the Union addresses");
  expect(table).toMatch(/^\| SGD \| `\{"lr":0\.05\}` \| \d\.\d{4} → \d\.\d{4} \|$/m);
  expect(table).toMatch(/^\| war \| [a-z]+(, [a-z]+){3} \| [a-z]+(, [a-z]+){3} \|$/m);
  const { rows } = JSON.parse(readFileSync(join(dir, "word2vec-results.json"), "utf8"));
  expect(rows.map((row: { label: string }) => row.label)).toEqual(["SGD", "SparseAdam"]);
  expect(run.stdout).toContain(table.trim());
});
