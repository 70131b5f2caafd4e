/**
 * The control block through which the calling thread hands a kernel call to the workers and joins
 * them: a few 32-bit words in the shared Wasm memory, read and written with `Atomics`. No message
 * is sent per step: the calling thread writes each worker's slice into its slot, bumps
 * `GENERATION` and notifies; each worker runs its slice, writes the generation into its slot's
 * `DONE` word, bumps `SIGNAL` and notifies; the calling thread waits on `SIGNAL` until every
 * worker it handed a slice to has acknowledged the generation (or the wait runs out).
 */
import { KERNEL_NAMES } from "../runtime/kernels.js";
import type { KernelTable } from "../runtime/kernels.js";

/** Word indices of the header. */
export const GENERATION = 0;
/** `RUN` or `EXIT` for the generation just published. */
export const COMMAND = 1;
/** Index into `KERNEL_KEYS` of the kernel to run. */
export const KERNEL = 2;
/** Byte address of the scalar block. */
export const SCALARS = 3;
/** Bumped by each worker after acknowledging a generation (the calling thread waits on it). */
export const SIGNAL = 4;
const HEADER_WORDS = 8;

export const RUN = 1;
export const EXIT = 2;

/** Words of one worker's slot, after the header. */
const SLOT_WORDS = 8;
/** Byte address of the worker's slice table. */
export const SLOT_TABLE = 0;
/** Entries in the worker's slice table (0: nothing to do this generation). */
export const SLOT_COUNT = 1;
/** The last generation the worker finished. */
export const SLOT_DONE = 2;
/** 1 once the worker has instantiated its kernels and waits for work. */
export const SLOT_READY = 3;
/** 0, or `FAILED` when the kernel threw in the generation in `SLOT_DONE`. */
export const SLOT_STATUS = 4;
export const FAILED = 1;

/** Bytes of a control block for `workers` workers. */
export function controlBytes(workers: number): number {
  return (HEADER_WORDS + workers * SLOT_WORDS) * 4;
}

/** The word index of field `field` of worker `worker`'s slot. */
export function slotWord(worker: number, field: number): number {
  return HEADER_WORDS + worker * SLOT_WORDS + field;
}

/** Every kernel export in one fixed order, so that a kernel travels as an index. */
export const KERNEL_KEYS: readonly (keyof KernelTable)[] = KERNEL_NAMES.flatMap((name) => [`${name}_f32`, `${name}_f64`] as const);

/** What a worker needs to serve: the memory, where its control block is, its slot and binary. */
export interface WorkerInit {
  memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  control: number;
  /** Number of worker slots in the control block. */
  workers: number;
  /** This worker's slot. */
  slot: number;
  /** The binary to instantiate (the calling thread's, built for a shared memory). */
  binary: string;
}
