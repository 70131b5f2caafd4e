/**
 * Worker threads that run a kernel call together with the calling thread over the call's tensor
 * table cut into chunks (slices.ts), handed out and joined through the control block in shared
 * memory (control.ts): the calling thread publishes a generation, claims and runs chunks like any
 * worker, then waits, for a bounded time, until every chunk is finished. `step()` so stays
 * synchronous, and a busy or late worker costs at most the time of its claimed chunks: the others
 * take what it did not claim. Workers start on the first threaded call (or `ready()`), and take
 * part once they have signalled that they are ready. A kernel in phases (LAMB: its norms, then the
 * update; Muon: each matrix product of its Newton–Schulz steps) is one generation per phase, each
 * joined before the next is published.
 *
 * The pool holds no reference to its runtime, so that a runtime dropped without `close()` can be
 * collected and its pool closed by a FinalizationRegistry.
 */
import type { Kernel, KernelName, KernelTable } from "../runtime/kernels.js";
import type { StepTable } from "../runtime/tensor-table.js";
import {
  CHUNKS,
  COMMAND,
  COMPLETED,
  DIRECTORY,
  EXIT,
  FAILED,
  GENERATION,
  KERNEL,
  KERNEL_KEYS,
  RUN,
  SCALARS,
  SLOT_BUSY,
  SLOT_READY,
  SLOT_RUNS,
  SLOT_STATUS,
  CHUNKS_PER_THREAD,
  claimOrder,
  closeClaims,
  runClaimedChunks,
  controlBytes,
  pollWhileEqual,
  slotWord,
} from "./control.js";
import { SliceTables, slicePhaseCount, type SliceMemory, type SlicePhase } from "./slices.js";
import type { SpawnWorker, WorkerHandle } from "./spawn.js";
import { ThreadError } from "./thread-error.js";

/** @internal */
export interface PoolWorker {
  /** Slot in the control block; the worker's number in messages is slot + 1. */
  slot: number;
  handle: WorkerHandle | undefined;
  alive: boolean;
}

/** The shortest time the calling thread waits for the workers of one call, in milliseconds. */
export const MIN_WAIT_MS = 5000;
/** How long `ready()` waits for workers to start, in milliseconds. */
const STARTUP_MS = 30_000;
/** The wait is also at least this many times as long as the calling thread's own chunks took. */
const WAIT_PER_OWN_TIME = 100;

export class ThreadPool {
  /** @internal The shortest wait for the workers of one call, in ms (lowered by the fault tests). */
  minWaitMs = MIN_WAIT_MS;
  /** @internal The wait is also at least this many times the calling thread's own work. */
  waitPerOwnTime = WAIT_PER_OWN_TIME;
  /** @internal How long `ready()` waits for workers to start, in ms (lowered by the tests). */
  startupMs = STARTUP_MS;
  /** @internal Calls that were split between threads (tests check that threads took part). */
  splitCalls = 0;
  private readonly control: Int32Array;
  /** The order in which the calling thread claims chunks (control.ts). */
  private readonly order: Int32Array;
  /** @internal */
  readonly workers: PoolWorker[];
  private started = false;
  private closed = false;
  private fault: string | undefined;

  /** Workers use slots 0..workers-1 of the control block at `controlAddress` (zero-filled). */
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly controlAddress: number,
    workers: number,
    private readonly binary: string,
    /** The binary, compiled: workers instantiate it without fetching or compiling it again. */
    private readonly module: WebAssembly.Module,
    private readonly spawn: SpawnWorker,
    /**
     * `threads: "auto"`: a worker that fails or does not come up at start-up is left out quietly,
     * as `auto` falls back quietly; with a count asked for, it is reported (a ThreadError).
     */
    private readonly quietStartup = false,
  ) {
    this.control = new Int32Array(memory.buffer, controlAddress, controlBytes(workers) / 4);
    this.workers = Array.from({ length: workers }, (_, slot) => ({ slot, handle: undefined, alive: true }));
    this.order = claimOrder(0, workers + 1);
  }

  /**
   * Threads that steps run on: the calling thread and every worker that has not failed and, once
   * the workers were started, is ready (a step hands chunks to ready workers only).
   */
  get threads(): number {
    if (this.closed) return 1;
    return 1 + this.workers.filter((worker) => worker.alive && (!this.started || this.isReady(worker))).length;
  }

  /** Starts the workers (once). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    for (const worker of this.workers) {
      const init = {
        memory: this.memory,
        control: this.controlAddress,
        workers: this.workers.length,
        slot: worker.slot,
        binary: this.binary,
        module: this.module,
      };
      try {
        worker.handle = this.spawn(init, (reason) => this.lost(worker, reason));
      } catch (error) {
        this.lost(worker, `could not start: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Starts the workers and resolves, with `threads`, once every worker that did not fail is ready;
   * when some worker is neither ready nor failed after `STARTUP_MS`, rejects (or, with
   * `quietStartup`, ends it and resolves with the others).
   */
  async ready(): Promise<number> {
    this.start();
    const deadline = performance.now() + this.startupMs;
    while (!this.closed && this.workers.some((worker) => worker.alive && !this.isReady(worker))) {
      if (performance.now() > deadline) {
        const late = this.workers.filter((worker) => worker.alive && !this.isReady(worker));
        if (this.quietStartup) {
          for (const worker of late) this.drop(worker);
          break;
        }
        throw new Error(
          `simdopt: ${workerNames(late)} did not start within ${this.startupMs / 1000} s (steps run on the others meanwhile)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return this.threads;
  }

  /**
   * Runs `kernel` (the calling thread's export `name`) over `table`, in chunks shared between the
   * calling thread and the ready workers. Throws a ThreadError when a worker failed since the
   * last call (before anything is handed out) or during this one (once the rest is finished).
   */
  run(memory: SliceMemory, name: KernelName, kernel: Kernel, table: StepTable, scalars: number): void {
    const chunks = this.chunks();
    if (chunks === 0) {
      kernel(table.address, table.count, scalars);
      return;
    }
    // A kernel in parts (Muon) has as many phases as its scalars say: new slices when they change.
    const phaseCount = slicePhaseCount(memory.memory, name, scalars);
    if (table.slices?.parts !== chunks || table.slices.phases.length !== phaseCount) {
      table.slices?.dispose();
      table.slices = undefined;
      table.slices = new SliceTables(memory, name, table, chunks, phaseCount);
    }
    this.runPhases(
      `${name}_${table.dtype === "float32" ? "f32" : "f64"}`,
      kernel,
      table.slices.phases,
      chunks,
      scalars,
    );
  }

  /**
   * The chunks a call is cut into, or 0 when no worker is ready (the calling thread then runs the
   * call alone). Throws a ThreadError when a worker failed since the last call, before anything is
   * handed out.
   */
  chunks(): number {
    if (this.fault !== undefined) {
      const fault = this.fault;
      this.fault = undefined;
      throw new ThreadError(fault, "none", this.threads);
    }
    this.start();
    const helpers = this.workers.filter((worker) => worker.alive && this.isReady(worker)).length;
    // Every thread's run of chunks, a missing worker's too: the others take those.
    return helpers === 0 ? 0 : CHUNKS_PER_THREAD * (this.workers.length + 1);
  }

  /**
   * Runs kernel `key` (`kernel` on the calling thread) over `phases` of `chunks` slices each (from
   * `chunks()`), one generation per phase, joined before the next.
   */
  runPhases(
    key: keyof KernelTable,
    kernel: Kernel,
    phases: readonly SlicePhase[],
    chunks: number,
    scalars: number,
  ): void {
    const control = this.control;
    this.splitCalls++;
    Atomics.store(control, KERNEL, KERNEL_KEYS.indexOf(key));
    Atomics.store(control, SCALARS, scalars);
    phases.forEach(({ addresses, counts, directory }, phase) => {
      Atomics.store(control, DIRECTORY, directory);
      Atomics.store(control, CHUNKS, chunks);
      Atomics.store(control, COMPLETED, 0);
      Atomics.store(control, COMMAND, RUN);
      const generation = (Atomics.load(control, GENERATION) + 1) | 0;
      Atomics.store(control, GENERATION, generation);
      Atomics.notify(control, GENERATION);
      const started = performance.now();
      try {
        runClaimedChunks(control, generation, this.order, (chunk) => {
          if (counts[chunk] > 0) kernel(addresses[chunk], counts[chunk], scalars);
          Atomics.add(control, COMPLETED, 1);
        });
      } finally {
        const waitMs = Math.max(this.minWaitMs, this.waitPerOwnTime * (performance.now() - started));
        this.join(generation, chunks, waitMs, phases.length > 1 ? ` in phase ${phase + 1} of ${phases.length}` : "");
      }
    });
  }

  /** Tells the workers to exit and ends them; later calls run on the calling thread alone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.started) {
      Atomics.store(this.control, COMMAND, EXIT);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
    }
    for (const worker of this.workers) {
      worker.alive = false;
      worker.handle?.terminate();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Waits until all `chunks` of `generation` are finished, for at most `waitMs`; throws on a fault
   * (`where` names the phase in the message). Any phase that fails leaves the call `partly` done:
   * phase 1 of LAMB has updated state buffers, phase 2 parameters (Adafactor's last phase moves them).
   */
  private join(generation: number, chunks: number, waitMs: number, where: string): void {
    const control = this.control;
    const deadline = performance.now() + waitMs;
    for (
      let completed = Atomics.load(control, COMPLETED);
      completed < chunks;
      completed = Atomics.load(control, COMPLETED)
    ) {
      const left = deadline - performance.now();
      if (left <= 0) {
        closeClaims(control, generation, this.workers.length);
        const stuck = this.workers.filter(
          (worker) => worker.alive && Atomics.load(control, slotWord(worker.slot, SLOT_BUSY)) !== 0,
        );
        for (const worker of stuck) this.drop(worker);
        const who = stuck.length > 0 ? workerNames(stuck) : "a worker thread";
        throw new ThreadError(
          `${who} did not finish ${chunks - completed} of the call's ${chunks} chunks${where} within ${Math.round(waitMs)} ms ` +
            "(it ended or was stopped; now terminated)",
          "partly",
          this.threads,
        );
      }
      if (pollWhileEqual(control, COMPLETED, completed) === completed)
        Atomics.wait(control, COMPLETED, completed, left);
    }
    const failed = this.workers.filter(
      (worker) => worker.alive && Atomics.load(control, slotWord(worker.slot, SLOT_STATUS)) === FAILED,
    );
    if (failed.length > 0) {
      for (const worker of failed) this.drop(worker);
      throw new ThreadError(
        `${workerNames(failed)} threw in its kernel${where} (now terminated)`,
        "partly",
        this.threads,
      );
    }
  }

  /** @internal Chunks with tensors in them that each worker has run. */
  chunksRun(): number[] {
    return this.workers.map((worker) => Atomics.load(this.control, slotWord(worker.slot, SLOT_RUNS)));
  }

  private isReady(worker: PoolWorker): boolean {
    return Atomics.load(this.control, slotWord(worker.slot, SLOT_READY)) === 1;
  }

  /** A worker ended or failed outside a step: the next call reports it before handing out work. */
  private lost(worker: PoolWorker, reason: string): void {
    if (!worker.alive || this.closed) return;
    worker.alive = false;
    if (this.quietStartup && !this.isReady(worker)) return;
    const fault = `${workerNames([worker])} ${reason}`;
    this.fault = this.fault === undefined ? fault : `${this.fault}; ${fault}`;
  }

  private drop(worker: PoolWorker): void {
    worker.alive = false;
    worker.handle?.terminate();
  }
}

function workerNames(workers: PoolWorker[]): string {
  const numbers = workers.map((worker) => worker.slot + 1).join(", ");
  return workers.length === 1 ? `worker thread ${numbers}` : `worker threads ${numbers}`;
}
