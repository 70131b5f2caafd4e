/**
 * Trains the character-level LSTM with one entry of the comparison for a fixed budget, and records
 * what the curves show: the training loss (a mean over a few batches), the held-out loss at
 * evaluation points, the time per epoch, and a few lines sampled from the trained model.
 *
 * The training text is cut into `streams` equal streams read side by side, `steps` characters at a
 * time; each stream's state carries over from one batch to the next (the gradient does not: truncated
 * backpropagation) and starts from zero at each epoch. Every entry sees the same batches.
 */
import { BatchLog } from "../train/batch-log.js";
import { createOptimizer, Muon, type Optimizer, type Runtime, ScheduleFreeOptimizer } from "simdopt";
import { seededRandom } from "../random.js";
import { Lstm } from "./lstm.js";
import { type LstmOptimizer, parametersOf } from "./settings.js";
import type { CharText } from "./text.js";

/** The budget and the model's size. */
export interface LstmTrainOptions {
  epochs?: number;
  hiddenSize?: number;
  /** Streams read side by side (the batch). */
  streams?: number;
  /** Characters per stream and batch (the truncation length). */
  steps?: number;
  /** Held-out evaluations per epoch (default 4). */
  evaluationsPerEpoch?: number;
  /** Characters to sample after training (default 240). */
  sampleLength?: number;
  seed?: number;
  /** Called after every batch with the batches done and the total. */
  onBatch?: (done: number, total: number) => void;
}

/** What one run recorded. */
export interface LstmTrainResult {
  /** Mean training loss (nats per character) of every few batches, at `lossEpochs`. */
  readonly trainLoss: number[];
  readonly lossEpochs: number[];
  /** Held-out loss (nats per character) at `evalEpochs`, the first at 0 (untrained). */
  readonly heldOutLoss: number[];
  readonly evalEpochs: number[];
  /** Milliseconds of training per epoch (evaluation excluded), and of those, in simdopt's steps. */
  readonly msPerEpoch: number[];
  readonly stepMsPerEpoch: number[];
  /** Text sampled from the trained model after a prompt taken from the held-out text. */
  readonly sample: { prompt: string; text: string };
}

/** Batches per epoch of `text` for `streams` streams of `steps` characters (0 if the text is too short). */
export function batchesPerEpoch(trainLength: number, streams: number, steps: number): number {
  return Math.max(0, Math.floor((Math.floor(trainLength / streams) - 1) / steps));
}

/** Trains a fresh model (the same weights for every entry given the same seed) with `entry`'s optimizers. */
export function trainLstm(
  runtime: Runtime,
  text: CharText,
  entry: LstmOptimizer,
  options: LstmTrainOptions = {},
): LstmTrainResult {
  const {
    epochs = 1,
    hiddenSize = 64,
    streams = 8,
    steps = 32,
    evaluationsPerEpoch = 4,
    sampleLength = 240,
    seed = 11,
    onBatch,
  } = options;
  if (!(epochs > 0) || !Number.isFinite(epochs))
    throw new RangeError(`simdopt-lab: epochs must be a number > 0, got ${epochs}`);
  for (const [name, value] of [
    ["streams", streams],
    ["steps", steps],
  ] as const)
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`simdopt-lab: ${name} must be a whole number ≥ 1, got ${value}`);
  const perEpoch = batchesPerEpoch(text.train.length, streams, steps);
  const totalBatches = Math.round(epochs * perEpoch);
  if (totalBatches < 1)
    throw new RangeError(
      `simdopt-lab: ${epochs} epoch(s) of ${streams} streams × ${steps} characters is less than one batch of the ${text.train.length}-character text`,
    );
  const model = new Lstm(runtime, text.alphabet.length, { hiddenSize, seed });
  const optimizers: Optimizer<object>[] = [];
  try {
    for (const part of entry.parts)
      optimizers.push(
        part.optimizer === "muon"
          ? new Muon([...parametersOf(model, part.params)], part.options)
          : createOptimizer(part.optimizer, parametersOf(model, part.params), part.options as never),
      );
    // Schedule-free optimizers evaluate at the average of their iterates: switch to it and back.
    const scheduleFree = optimizers.filter((o) => o instanceof ScheduleFreeOptimizer);
    const evalMode = () => {
      for (const o of scheduleFree) o.eval();
    };
    const trainMode = () => {
      for (const o of scheduleFree) o.train();
    };
    const result: LstmTrainResult = {
      trainLoss: [],
      lossEpochs: [],
      heldOutLoss: [],
      evalEpochs: [],
      msPerEpoch: [],
      stepMsPerEpoch: [],
      sample: { prompt: "", text: "" },
    };
    const evaluate = (batches: number) => {
      evalMode();
      result.heldOutLoss.push(model.evaluate(text.heldOut));
      result.evalEpochs.push(batches / perEpoch);
      trainMode();
    };
    evaluate(0);
    const streamLength = Math.floor(text.train.length / streams);
    const evalEvery = Math.max(1, Math.round(perEpoch / evaluationsPerEpoch));
    const window = Math.max(1, Math.min(10, Math.floor(totalBatches / 40)));
    let state = model.initialState(streams);
    const log = new BatchLog(result, window, perEpoch, totalBatches);
    for (let batch = 0; batch < totalBatches; batch++) {
      const inEpoch = batch % perEpoch;
      if (inEpoch === 0) state = model.initialState(streams);
      const started = performance.now();
      const segments = Array.from({ length: streams }, (_, s) => {
        const start = s * streamLength + inEpoch * steps;
        return text.train.subarray(start, start + steps + 1);
      });
      const loss = model.lossAndGradient(segments, state);
      const stepping = performance.now();
      for (const o of optimizers) o.step();
      const ended = performance.now();
      const done = batch + 1;
      log.add(done, inEpoch, loss, ended - started, ended - stepping);
      if ((done % evalEvery === 0 || done === totalBatches) && result.evalEpochs.at(-1) !== done / perEpoch)
        evaluate(done);
      onBatch?.(done, totalBatches);
    }
    evalMode();
    const prompt = Array.from(text.heldOut.subarray(0, Math.min(40, text.heldOut.length)));
    const sampled = model.sample(prompt, sampleLength, seededRandom(seed + 2));
    const decode = (codes: readonly number[]) => codes.map((c) => text.alphabet[c]).join("");
    result.sample.prompt = decode(prompt);
    result.sample.text = decode(sampled);
    return result;
  } finally {
    for (const o of optimizers) o.dispose();
    model.dispose();
  }
}
