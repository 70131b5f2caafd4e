/**
 * The bookkeeping a training loop does after each batch, shared by the digit classifier and the
 * language model: the training loss as a running mean over a window of batches (at the epoch
 * fraction where each window ends), and the time per epoch and of its optimizer steps, scaled up
 * from the batches timed when the last epoch is cut short.
 */

/** Where the records go (the training result's arrays). */
export interface BatchRecords {
  readonly trainLoss: number[];
  readonly lossEpochs: number[];
  readonly msPerEpoch: number[];
  readonly stepMsPerEpoch: number[];
}

export class BatchLog {
  private lossSum = 0;
  private lossCount = 0;
  private epochMs = 0;
  private stepMs = 0;

  constructor(
    private readonly records: BatchRecords,
    private readonly window: number,
    private readonly perEpoch: number,
    private readonly totalBatches: number,
  ) {}

  /** Records batch `done` (1-based over the run; `inEpoch` its 0-based index in its epoch): its loss and times. */
  add(done: number, inEpoch: number, loss: number, batchMs: number, stepMs: number): void {
    this.lossSum += loss;
    this.stepMs += stepMs;
    this.epochMs += batchMs;
    this.lossCount++;
    if (this.lossCount === this.window || done === this.totalBatches) {
      this.records.trainLoss.push(this.lossSum / this.lossCount);
      this.records.lossEpochs.push(done / this.perEpoch);
      this.lossSum = 0;
      this.lossCount = 0;
    }
    if (done % this.perEpoch === 0 || done === this.totalBatches) {
      this.records.msPerEpoch.push((this.epochMs * this.perEpoch) / (inEpoch + 1));
      this.records.stepMsPerEpoch.push((this.stepMs * this.perEpoch) / (inEpoch + 1));
      this.epochMs = 0;
      this.stepMs = 0;
    }
  }
}
