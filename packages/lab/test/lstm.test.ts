// The character-level LSTM: its gradient against finite differences in float64, a short run that
// learns, and the command as a user runs it.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadRuntime, type Runtime } from "simdopt";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Lstm, type LstmState } from "../dist/lstm/lstm.js";
import { LSTM_OPTIMIZERS, parametersOf } from "../dist/lstm/settings.js";
import { encodeText, loadText } from "../dist/lstm/text.js";
import { trainLstm } from "../dist/lstm/train.js";

const CLI = fileURLToPath(new URL("../bin/simdopt-lab.js", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "simdopt-lab-lstm-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

test("the text: Coriolanus' opening, 90% for training, over its own alphabet", () => {
  const text = loadText();
  expect(text.alphabet.length).toBe(59);
  expect(text.train.length + text.heldOut.length).toBe(48312);
  expect(text.heldOut.length).toBe(Math.ceil(48312 * 0.1));
  const decoded = Array.from(text.train.subarray(0, 14), (c) => text.alphabet[c]).join("");
  expect(decoded).toBe("First Citizen:");
  const small = encodeText("abcab ba", 0.5);
  expect(small.alphabet).toBe(" abc");
  expect([...small.train, ...small.heldOut]).toEqual([1, 2, 3, 1, 2, 0, 2, 1]);
  expect(() => encodeText("ab", 0.5)).toThrow(/too short to split/);
});

test("backpropagation through time matches central differences of the loss (float64)", () => {
  const model = new Lstm(runtime, 5, { hiddenSize: 3, seed: 4, dtype: "float64" });
  try {
    const segments = [
      [0, 3, 1, 4, 4, 2],
      [2, 2, 0, 1, 3, 0],
    ];
    // A nonzero starting state (as in the middle of a stream): the gradient must not flow into it.
    const start = model.initialState(2);
    model.lossAndGradient(segments, start);
    const copy = (state: LstmState): LstmState => ({ streams: 2, h: state.h.slice(), c: state.c.slice() });
    const lossAt = () => model.lossAndGradient(segments, copy(start));
    lossAt();
    const grads = model.parameters.map((p) => Float64Array.from(p.grad));
    const h = 1e-6;
    let checked = 0;
    for (const [k, param] of model.parameters.entries()) {
      for (let i = 0; i < param.length; i++) {
        const saved = param.data[i];
        param.data[i] = saved + h;
        const up = lossAt();
        param.data[i] = saved - h;
        const down = lossAt();
        param.data[i] = saved;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(numeric - grads[k][i]), `${param.name}[${i}]`).toBeLessThan(1e-8 + 1e-6 * Math.abs(numeric));
        checked++;
      }
    }
    expect(checked).toBe(5 * 12 + 12 * 3 + 12 + 5 * 3 + 5);
    // Characters that follow some input get a nonzero gradient in that input's row of wx.
    expect(grads[0].subarray(0, 12).some((g) => g !== 0)).toBe(true);
  } finally {
    model.dispose();
  }
});

test("bad input to the model is refused by name", () => {
  expect(() => new Lstm(runtime, 1)).toThrow(/alphabet takes 2 to 256 characters, got 1/);
  const model = new Lstm(runtime, 4, { hiddenSize: 2 });
  try {
    const state = model.initialState(1);
    expect(() => model.lossAndGradient([[0, 9]], state)).toThrow(/character code 9 is outside the alphabet of 4/);
    expect(() =>
      model.lossAndGradient(
        [
          [0, 1],
          [1, 2],
        ],
        state,
      ),
    ).toThrow(/2 segment\(s\) for a state of 1 stream/);
    expect(() => model.lossAndGradient([[0]], state)).toThrow(/at least 2/);
    expect(state.h.every((v) => v === 0)).toBe(true); // refused calls left the state as it was
  } finally {
    model.dispose();
  }
});

test("a short run lowers training and held-out loss, with Adam and with schedule-free AdamW", () => {
  const text = loadText();
  const adam = LSTM_OPTIMIZERS.find((o) => o.label === "Adam")!;
  const result = trainLstm(runtime, text, adam, { epochs: 0.25, hiddenSize: 16, sampleLength: 20 });
  expect(result.heldOutLoss[0]).toBeGreaterThan(Math.log(59) - 0.2); // untrained: about uniform
  expect(result.heldOutLoss.at(-1)).toBeLessThan(result.heldOutLoss[0] - 0.5);
  expect(result.trainLoss.at(-1)).toBeLessThan(result.trainLoss[0]);
  expect(result.sample.text).toHaveLength(20);
  expect(result.msPerEpoch[0]).toBeGreaterThan(result.stepMsPerEpoch[0]);
  const free = LSTM_OPTIMIZERS.find((o) => o.label === "AdamWScheduleFree")!;
  const scheduleFree = trainLstm(runtime, text, free, { epochs: 0.25, hiddenSize: 16, sampleLength: 5 });
  expect(scheduleFree.heldOutLoss.at(-1)).toBeLessThan(scheduleFree.heldOutLoss[0] - 0.5);
});

test("an entry can step the matrices and the biases with different optimizers", () => {
  const model = new Lstm(runtime, 7, { hiddenSize: 4 });
  try {
    expect(parametersOf(model, "matrices").map((p) => [p.name, p.shape])).toEqual([
      ["wx", [7, 16]],
      ["wh", [16, 4]],
      ["wy", [7, 4]],
    ]);
    expect(parametersOf(model, "vectors").map((p) => p.name)).toEqual(["b", "by"]);
    expect(parametersOf(model, "all")).toHaveLength(5);
  } finally {
    model.dispose();
  }
  const split = {
    label: "SGD + Adam",
    parts: [
      { params: "matrices", optimizer: "sgd", options: { lr: 3 } },
      { params: "vectors", optimizer: "adam", options: { lr: 0.01 } },
    ],
  } as const;
  const result = trainLstm(runtime, loadText(), split, { epochs: 0.2, hiddenSize: 8, sampleLength: 5 });
  expect(result.heldOutLoss.at(-1)).toBeLessThan(result.heldOutLoss[0] - 0.3);
});

async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("the lstm command writes the curves, the table and samples; bad flags are refused by name", async () => {
  const dir = join(out, "run");
  const run = await lab(
    "lstm",
    "--epochs",
    "0.2",
    "--hidden",
    "12",
    "--optimizers",
    "SGD,AdamW",
    "--out",
    dir,
    "--png",
  );
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("| AdamW | `adamw");
  for (const file of ["lstm-loss.svg", "lstm-loss.png", "lstm-results.md", "lstm-results.json"])
    expect(existsSync(join(dir, file)), file).toBe(true);
  const { rows } = JSON.parse(readFileSync(join(dir, "lstm-results.json"), "utf8"));
  expect(rows.map((r: { label: string }) => r.label)).toEqual(["SGD", "AdamW"]);
  for (const row of rows) expect(row.finalHeldOutLoss).toBeLessThan(row.result.heldOutLoss[0]);
  const svg = readFileSync(join(dir, "lstm-loss.svg"), "utf8");
  expect(svg).toContain("AdamW (held out)");
  expect(readFileSync(join(dir, "lstm-results.md"), "utf8")).toContain("```text");
  const cases: [string[], RegExp][] = [
    [["lstm", "--epochs", "0.0001"], /--epochs 0\.0001 with --streams 8 and --steps 32 is less than one batch/],
    [["lstm", "--hidden", "5000"], /--hidden got '5000'/],
    [["lstm", "--steps", "0"], /--steps got '0'/],
    [["lstm", "--optimizers", "Adam,Sophia"], /--optimizers: unknown optimizer 'Sophia'/],
    [["gallery", "--lstm-epochs=-1"], /--lstm-epochs got '-1'/],
  ];
  const runs = await Promise.all(cases.map(([args]) => lab(...args, "--out", join(out, "bad"))));
  runs.forEach((r, k) => {
    expect(r.code, cases[k][0].join(" ")).toBe(1);
    expect(r.stderr).toMatch(cases[k][1]);
  });
  expect(existsSync(join(out, "bad"))).toBe(false);
});
