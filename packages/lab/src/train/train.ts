/**
 * Trains the digit MLP with one optimizer for a fixed budget and records what the curves show: the
 * training loss (a mean over every 10 batches, fewer in short runs), held-out accuracy and loss at
 * evaluation points, and the time per epoch (training batches only, evaluation excluded).
 */
import { BatchLog } from "./batch-log.js";
import { createOptimizer, type OptimizerName, type Runtime } from "simdopt";
import { seededRandom } from "../random.js";
import { shuffle, type DigitSet } from "./digits.js";
import { Mlp } from "./mlp.js";

/** The budget and the model's size. */
export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  hiddenSize?: number;
  /** Held-out evaluations per epoch (default 4). */
  evaluationsPerEpoch?: number;
  seed?: number;
  /** Called after every batch with the batches done and the total. */
  onBatch?: (done: number, total: number) => void;
}

/** What one run recorded. */
export interface TrainResult {
  /** Mean training loss of every 10 batches (fewer in runs under 300 batches: at least 30 points), at `lossEpochs` (in epochs). */
  readonly trainLoss: number[];
  readonly lossEpochs: number[];
  /** Held-out accuracy and loss at `evalEpochs` (the first at 0, before training). */
  readonly testAccuracy: number[];
  readonly testLoss: number[];
  readonly evalEpochs: number[];
  /** Milliseconds of training per epoch, each epoch measured. */
  readonly msPerEpoch: number[];
  /** Of those, the milliseconds spent in simdopt's optimizer steps. */
  readonly stepMsPerEpoch: number[];
}

/** Trains a fresh model (same weights for every optimizer given the same seed) with `optimizer`. */
export function train(
  runtime: Runtime,
  data: { train: DigitSet; test: DigitSet },
  optimizer: OptimizerName,
  optimizerOptions: object,
  options: TrainOptions = {},
): TrainResult {
  const { epochs = 1, batchSize = 64, hiddenSize = 128, evaluationsPerEpoch = 4, seed = 7, onBatch } = options;
  if (!(epochs > 0) || !Number.isFinite(epochs))
    throw new RangeError(`simdopt-lab: epochs must be a number > 0, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`simdopt-lab: batch size must be a whole number ≥ 1, got ${batchSize}`);
  const model = new Mlp(runtime, hiddenSize, seed);
  try {
    const opt = createOptimizer(optimizer, model.parameters, optimizerOptions as never);
    try {
      const order = Array.from({ length: data.train.count }, (_, k) => k);
      const random = seededRandom(seed + 1);
      const batchesPerEpoch = Math.ceil(data.train.count / batchSize);
      const totalBatches = Math.round(epochs * batchesPerEpoch);
      const evalEvery = Math.max(1, Math.round(batchesPerEpoch / evaluationsPerEpoch));
      const result: TrainResult = {
        trainLoss: [],
        lossEpochs: [],
        testAccuracy: [],
        testLoss: [],
        evalEpochs: [],
        msPerEpoch: [],
        stepMsPerEpoch: [],
      };
      const evaluate = (batches: number) => {
        const { accuracy, loss } = model.evaluate(data.test);
        result.testAccuracy.push(accuracy);
        result.testLoss.push(loss);
        result.evalEpochs.push(batches / batchesPerEpoch);
      };
      evaluate(0);
      const window = Math.max(1, Math.min(10, Math.floor(totalBatches / 30)));
      const log = new BatchLog(result, window, batchesPerEpoch, totalBatches);
      for (let batch = 0; batch < totalBatches; batch++) {
        const inEpoch = batch % batchesPerEpoch;
        if (inEpoch === 0) shuffle(order, random);
        const started = performance.now();
        const indices = order.slice(inEpoch * batchSize, Math.min((inEpoch + 1) * batchSize, order.length));
        const loss = model.lossAndGradient(data.train, indices);
        const stepping = performance.now();
        opt.step();
        const ended = performance.now();
        const done = batch + 1;
        log.add(done, inEpoch, loss, ended - started, ended - stepping);
        if (done % evalEvery === 0 || done === totalBatches) {
          if (result.evalEpochs.at(-1) !== done / batchesPerEpoch) evaluate(done);
        }
        onBatch?.(done, totalBatches);
      }
      return result;
    } finally {
      opt.dispose();
    }
  } finally {
    model.dispose();
  }
}
