/**
 * The bandwidth reference on two threads: the kernel and streams of bandwidth.ts over a shared
 * memory, the calling thread running the first half of every stream and a worker the second half,
 * each pass handed over and joined through words of shared memory (both threads poll, the worker
 * sleeping until woken once it has had no pass for POLL_MS; it lives only while this reference is
 * timed). The worker claims its half before it runs it; a half still unclaimed when the calling
 * thread is done with its own, it runs itself, so that a worker descheduled by other load costs a
 * pass no more than one thread's time, as in simdopt's pool.
 * What a second thread gains on it is what the memory system gives a second thread at that size
 * and traffic, in the same run as the optimizers: timed in pairs against its own one-thread mode
 * (`oneThread`), in which the calling thread runs both halves, over the same memory.
 */
import { Worker } from "node:worker_threads";

import type { TimingSettings } from "./args.js";
import { bandwidthInstance, bandwidthModuleBytes, streamLayout, type BandwidthKernel } from "./bandwidth.js";
import { pairedRatio, switchedPair, type PairedRatio } from "./paired.js";
import { settleHeap } from "./settle-heap.js";

/** Control words: the pass the calling thread asks for (-1: exit), and the last pass the worker finished. */
const ASKED = 0;
const DONE = 1;
/** Set to 1 by the worker once it has instantiated the module. */
const READY = 2;
/** The last pass whose second half a thread has claimed. */
const CLAIMED = 3;

/** How long a pass or the worker's start may take before it counts as lost. */
const LOST_MS = 10_000;

/**
 * How long the worker polls for the next pass before it sleeps until notified, in ms: as long as
 * simdopt's workers (its SPIN_MS), so that both pay the same to wake after a one-thread batch.
 */
const POLL_MS = 0.5;

// CommonJS, run by `eval`: Node and Deno both start it without a file of its own.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { memory, bytes, name, args, control: buffer } = workerData;
const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports[name];
const control = new Int32Array(buffer);
Atomics.store(control, ${READY}, 1);
for (let seen = 0; ; ) {
  let asked;
  for (let until = performance.now() + ${POLL_MS}; (asked = Atomics.load(control, ${ASKED})) === seen; ) {
    if (performance.now() > until) Atomics.wait(control, ${ASKED}, seen);
  }
  if (asked < 0) break;
  seen = asked;
  if (Atomics.compareExchange(control, ${CLAIMED}, asked - 1, asked) !== asked - 1) continue;
  run(...args);
  Atomics.store(control, ${DONE}, asked);
}
`;

/** Polls `control[index]` until it holds `value`, or throws after LOST_MS. */
function pollUntil(control: Int32Array, index: number, value: number, what: string): void {
  const deadline = performance.now() + LOST_MS;
  for (let spins = 1; Atomics.load(control, index) !== value; spins++) {
    if ((spins & 1023) === 0 && performance.now() > deadline) {
      throw new Error(`bandwidth: the reference's worker thread did not ${what} within ${LOST_MS / 1000} s`);
    }
  }
}

/** A bandwidth kernel on two threads, with a switch that keeps its passes on the calling thread. */
export interface TwoThreadBandwidthKernel extends BandwidthKernel {
  oneThread(on: boolean): void;
}

/** `createBandwidthKernel` on two threads, each moving half of every stream (cut at a cache line). */
export async function createTwoThreadBandwidthKernel(k: number, nbytes: number): Promise<TwoThreadBandwidthKernel> {
  const layout = streamLayout(k, nbytes);
  const { memory, run } = bandwidthInstance(k, layout.pages, true);
  new Uint8Array(memory.buffer).fill(1, layout.pointers[0], layout.end);
  const half = Math.floor(nbytes / 128) * 64;
  const own = [half, ...layout.pointers];
  const theirs = [nbytes - half, ...layout.pointers.map((p) => p + half)];
  const control = new Int32Array(new SharedArrayBuffer(16));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { memory, bytes: bandwidthModuleBytes(true), name: `rmw${k}`, args: theirs, control: control.buffer },
  });
  worker.unref();
  let failure: string | undefined;
  worker.on("error", (error) => (failure = error.message));
  const deadline = performance.now() + LOST_MS;
  while (Atomics.load(control, READY) !== 1) {
    if (failure !== undefined || performance.now() > deadline) {
      void worker.terminate();
      throw new Error(`bandwidth: the reference's worker thread did not start (${failure ?? "timed out"})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  let pass = 0;
  let alone = false;
  return {
    step: () => {
      if (alone) {
        run(...own);
        run(...theirs);
        return;
      }
      pass++;
      Atomics.store(control, ASKED, pass);
      Atomics.notify(control, ASKED);
      run(...own);
      if (Atomics.compareExchange(control, CLAIMED, pass - 1, pass) === pass - 1) run(...theirs);
      else pollUntil(control, DONE, pass, "finish its half of a pass");
    },
    bytes: (1 + 2 * k) * nbytes,
    read: (j) => new Int32Array(memory.buffer, layout.pointers[j], nbytes / 4).slice(),
    oneThread: (on) => {
      alone = on;
    },
    dispose: () => {
      Atomics.store(control, ASKED, -1);
      Atomics.notify(control, ASKED);
      void worker.terminate();
    },
  };
}

/**
 * The bandwidth reference's two threads over one (a pass on one thread takes about `oneMs`), timed
 * in alternating pairs like the optimizers' (paired.ts), over one memory.
 */
export async function pairedBandwidth(
  k: number,
  nbytes: number,
  t: TimingSettings,
  oneMs: number,
  /** Told after each pair (with large buffers a run of pairs takes seconds). */
  onPhase: (label: string) => void = () => {},
): Promise<PairedRatio> {
  const kernel = await createTwoThreadBandwidthKernel(k, nbytes);
  try {
    const [one, two] = switchedPair(kernel);
    await settleHeap();
    return await pairedRatio(one, two, t, oneMs, undefined, (done, pairs) =>
      onPhase(`timing in pairs: ${done} of ${pairs}`),
    );
  } finally {
    kernel.dispose();
  }
}
