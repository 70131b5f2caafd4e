/**
 * The worker's side of the thread pool: instantiates the calling thread's binary over the same
 * shared memory, then serves generations of the control block (control.ts) until told to exit.
 * Started by spawn.ts, through `node:worker_threads` (Node, Deno; the init arrives as workerData)
 * or as a module Web Worker (browsers; the init arrives as the first message).
 */
import { instantiate, type BinaryName } from "../runtime/load.js";
import {
  COMMAND, EXIT, FAILED, GENERATION, KERNEL, KERNEL_KEYS, SCALARS, SIGNAL, SLOT_COUNT, SLOT_DONE, SLOT_READY,
  SLOT_STATUS, SLOT_TABLE, controlBytes, slotWord, type WorkerInit,
} from "./control.js";

async function serve(init: WorkerInit): Promise<void> {
  const { kernels } = await instantiate(init.binary as BinaryName, init.memory);
  const byIndex = KERNEL_KEYS.map((key) => kernels[key]);
  const control = new Int32Array(init.memory.buffer, init.control, controlBytes(init.workers) / 4);
  const word = (field: number) => slotWord(init.slot, field);
  let seen = Atomics.load(control, GENERATION);
  Atomics.store(control, word(SLOT_READY), 1);
  for (;;) {
    Atomics.wait(control, GENERATION, seen);
    const generation = Atomics.load(control, GENERATION);
    if (generation === seen) continue;
    seen = generation;
    if (Atomics.load(control, COMMAND) === EXIT) return;
    const count = Atomics.load(control, word(SLOT_COUNT));
    let status = 0;
    if (count > 0) {
      try {
        byIndex[Atomics.load(control, KERNEL)](Atomics.load(control, word(SLOT_TABLE)), count, Atomics.load(control, SCALARS));
      } catch {
        status = FAILED;
      }
    }
    Atomics.store(control, word(SLOT_STATUS), status);
    Atomics.store(control, word(SLOT_DONE), generation);
    Atomics.add(control, SIGNAL, 1);
    Atomics.notify(control, SIGNAL);
  }
}

interface NodeProcess { versions?: { node?: string } }
const nodeLike = typeof (globalThis as { process?: NodeProcess }).process?.versions?.node === "string";

if (nodeLike) {
  const { workerData } = await import("node:worker_threads");
  await serve((workerData as { simdopt: WorkerInit }).simdopt);
} else {
  const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<WorkerInit>) => void) | null };
  scope.onmessage = (event) => {
    scope.onmessage = null;
    const worker = globalThis as unknown as { close(): void; postMessage(message: unknown): void };
    serve(event.data).then(
      () => worker.close(),
      (error: unknown) => {
        worker.postMessage({ failed: error instanceof Error ? error.message : String(error) });
        worker.close();
      },
    );
  };
}
