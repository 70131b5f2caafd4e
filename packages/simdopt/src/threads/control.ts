/**
 * The control block through which the calling thread hands a kernel call to the workers and joins
 * them: a few 32-bit words in the shared Wasm memory, read and written with `Atomics`. No message
 * is sent per step. The call's tensor table is cut into chunks (slices.ts); the calling thread
 * publishes the kernel, the scalars and the chunk directory, resets `CLAIM` to the new
 * generation's tag and index 0, bumps `GENERATION` and notifies. Then every thread, the calling
 * one included, claims chunks one at a time (compare-and-swap on `CLAIM`, valid only while its tag
 * is the generation's), runs them, and bumps `COMPLETED`; the calling thread waits on `COMPLETED`
 * until it counts every chunk, or the bounded wait runs out. A worker that wakes late finds every
 * chunk claimed and does nothing: the others have done its share.
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
/** Chunks finished in the current generation. */
export const COMPLETED = 4;
/** The next chunk to claim: the generation's tag (its low 16 bits) << 16 | chunk index. */
export const CLAIM = 5;
/** Chunks in the current generation. */
export const CHUNKS = 6;
/** Byte address of the chunk directory: [table address, entry count] as u32 pairs. */
export const DIRECTORY = 7;
const HEADER_WORDS = 8;

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
/** Chunks the worker has run (tests check that workers took part). */
export const SLOT_RUNS = 3;

/** Bytes of a control block for `workers` workers. */
export function controlBytes(workers: number): number {
  return (HEADER_WORDS + workers * SLOT_WORDS) * 4;
}

/** The word index of field `field` of worker `worker`'s slot. */
export function slotWord(worker: number, field: number): number {
  return HEADER_WORDS + worker * SLOT_WORDS + field;
}

/** The claim word that opens generation `generation` at chunk 0. */
export function openClaim(generation: number): number {
  return (generation & 0xffff) << 16;
}

/**
 * Claims the next chunk of `generation`: its index, or -1 when every chunk is taken or the
 * generation is over. Shared by the calling thread and the workers.
 */
export function claimChunk(control: Int32Array, generation: number): number {
  const tag = generation & 0xffff;
  for (;;) {
    const claim = Atomics.load(control, CLAIM);
    const index = claim & 0xffff;
    if (claim >>> 16 !== tag || index >= Atomics.load(control, CHUNKS)) return -1;
    if (Atomics.compareExchange(control, CLAIM, claim, claim + 1) === claim) return index;
  }
}

/** Every kernel export in one fixed order, so that a kernel travels as an index. */
export const KERNEL_KEYS: readonly (keyof KernelTable)[] = KERNEL_NAMES.flatMap(
  (name) => [`${name}_f32`, `${name}_f64`] as const,
);

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
