/**
 * The control block through which the calling thread hands a kernel call to the workers and joins
 * them: a few 32-bit words in the shared Wasm memory, read and written with `Atomics`. No message
 * is sent per step. The call's tensor table is cut into chunks (slices.ts), CHUNKS_PER_THREAD per
 * thread; the calling thread publishes the kernel, the scalars and the chunk directory, bumps
 * `GENERATION` and notifies. Then every thread, the calling one included, claims chunks one at a
 * time (compare-and-swap of the chunk's claim word to the generation), runs them, and bumps
 * `COMPLETED`; the calling thread waits on `COMPLETED` until it counts every chunk, or the bounded
 * wait runs out. Each thread claims its own run of chunks first, the same elements every step, so
 * that they stay in its core's caches; then it takes what is left of the others' runs, from their
 * ends. A worker that wakes late finds its chunks taken and does nothing: the others did its share.
 */
import { KERNEL_NAMES, ROWS_KERNEL_NAMES } from "../runtime/kernels.js";
import type { KernelTable } from "../runtime/kernels.js";

/** Word indices of the header. */
export const GENERATION = 0;
/** `RUN` or `EXIT` for the generation just published. */
export const COMMAND = 1;
/** Index into `KERNEL_KEYS` of the kernel to run. */
export const KERNEL = 2;
/** Byte address of the scalar block. */
export const SCALARS = 3;
/** Chunks finished in the current generation. */
export const COMPLETED = 4;
/** Chunks in the current generation. */
export const CHUNKS = 5;
/** Byte address of the chunk directory: [table address, entry count] as u32 pairs. */
export const DIRECTORY = 6;
const HEADER_WORDS = 7;

/** Chunks per thread: enough for the others to even out a late or descheduled thread. */
export const CHUNKS_PER_THREAD = 4;

export const RUN = 1;
export const EXIT = 2;

/** Words of one worker's slot, after the header. */
const SLOT_WORDS = 4;
/** 1 once the worker has instantiated its kernels and waits for work. */
export const SLOT_READY = 0;
/** 1 + the chunk the worker is running, 0 between chunks (names the culprit of a timeout). */
export const SLOT_BUSY = 1;
/** 0, or `FAILED` once the kernel threw in this worker. */
export const SLOT_STATUS = 2;
export const FAILED = 1;
/** Chunks with tensors in them that the worker has run (tests check that workers took part). */
export const SLOT_RUNS = 3;

/** Bytes of a control block for `workers` workers: the header, their slots, the claim words. */
export function controlBytes(workers: number): number {
  return (HEADER_WORDS + workers * SLOT_WORDS + CHUNKS_PER_THREAD * (workers + 1)) * 4;
}

/** The word index of field `field` of worker `worker`'s slot. */
export function slotWord(worker: number, field: number): number {
  return HEADER_WORDS + worker * SLOT_WORDS + field;
}

/** The word index of chunk `chunk`'s claim word: the last generation that claimed it. */
function claimWord(workers: number, chunk: number): number {
  return HEADER_WORDS + workers * SLOT_WORDS + chunk;
}

/**
 * The order in which thread `thread` of `threads` (0 the calling thread, worker slot s is s + 1)
 * tries the chunks: its own run front to back, then each other thread's run back to front.
 */
export function claimOrder(thread: number, threads: number): Int32Array {
  const order: number[] = [];
  for (let i = 0; i < CHUNKS_PER_THREAD; i++) order.push(thread * CHUNKS_PER_THREAD + i);
  for (let k = 1; k < threads; k++) {
    const owner = (thread + k) % threads;
    for (let i = CHUNKS_PER_THREAD - 1; i >= 0; i--) order.push(owner * CHUNKS_PER_THREAD + i);
  }
  return Int32Array.from(order);
}

/**
 * Claims, for `generation`, the first chunk of `order` at or after position `from` that no thread
 * has claimed: returns its position in `order`, or -1 when every chunk is taken. Shared by the
 * calling thread and the workers.
 */
export function claimChunk(control: Int32Array, generation: number, order: Int32Array, from: number): number {
  const workers = order.length / CHUNKS_PER_THREAD - 1;
  for (let at = from; at < order.length; at++) {
    const word = claimWord(workers, order[at]);
    const last = Atomics.load(control, word);
    // Only a chunk last claimed in an earlier generation: a worker still in an old generation must
    // not take (or give back) a chunk of the current one. Generations wrap, hence the difference.
    if (((generation - last) | 0) > 0 && Atomics.compareExchange(control, word, last, generation) === last) return at;
  }
  return -1;
}

/** Claims the chunks of `generation` in `order`, one at a time, and runs `run` on each until none is left. */
export function runClaimedChunks(
  control: Int32Array,
  generation: number,
  order: Int32Array,
  run: (chunk: number) => void,
): void {
  for (
    let at = claimChunk(control, generation, order, 0);
    at >= 0;
    at = claimChunk(control, generation, order, at + 1)
  ) {
    run(order[at]);
  }
}

/** Marks every chunk of `generation` claimed, so that no thread starts one from now on. */
export function closeClaims(control: Int32Array, generation: number, workers: number): void {
  for (let chunk = 0; chunk < CHUNKS_PER_THREAD * (workers + 1); chunk++) {
    Atomics.store(control, claimWord(workers, chunk), generation);
  }
}

/**
 * How long a thread polls a control word before sleeping on it, in ms. Waking a thread from
 * `Atomics.wait` takes tens of microseconds, as long as a whole step over 4K parameters: a worker
 * that has just finished a call polls for the next one for this long first, so that back-to-back
 * steps find it awake, and the calling thread polls for the last chunks before it sleeps. A
 * worker done with its chunks may wait out the calling thread's last chunk (about 0.2 ms for Adam
 * at 1M parameters on two threads) before the next step is even published. Over back-to-back
 * steps of SGD, momentum and Adam at 1M, workers that polled for 0.1 ms slept before 2% to 44% of
 * the steps (and started those late); for 0.5 ms, before 0.5% to 9%. The cost is at most this
 * much of a core's time after the last of a run of steps.
 */
export const SPIN_MS = 0.5;

/**
 * Polls `control[index]` for up to SPIN_MS while it holds `value`: returns the new value as soon
 * as it changes, or `value` if it did not change in time.
 */
export function pollWhileEqual(control: Int32Array, index: number, value: number): number {
  const until = performance.now() + SPIN_MS;
  do {
    for (let i = 0; i < 64; i++) {
      const now = Atomics.load(control, index);
      if (now !== value) return now;
    }
  } while (performance.now() < until);
  return value;
}

/** Every kernel export in one fixed order, so that a kernel travels as an index. */
export const KERNEL_KEYS: readonly (keyof KernelTable)[] = [
  ...KERNEL_NAMES.flatMap((name) => [`${name}_f32`, `${name}_f64`] as const),
  ...ROWS_KERNEL_NAMES.flatMap((name) => [`${name}_rows_f32`, `${name}_rows_f64`] as const),
];

/** What a worker needs to serve: the memory, where its control block is, its slot and binary. */
export interface WorkerInit {
  memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  control: number;
  /** Number of worker slots in the control block. */
  workers: number;
  /** This worker's slot. */
  slot: number;
  /** The calling thread's binary (built for a shared memory): its name, and compiled. */
  binary: string;
  module: WebAssembly.Module;
}
