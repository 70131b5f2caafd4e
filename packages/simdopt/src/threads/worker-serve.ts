/**
 * The worker's side of the thread pool: instantiates the calling thread's compiled binary (sent
 * with the init: a worker fetches and compiles nothing) over the same shared memory, then serves
 * generations of the control block (control.ts) until told to exit.
 * Run by the two worker entries: worker-node.ts (`node:worker_threads`, the init as workerData)
 * and worker.ts (a module Web Worker, the init as the first message).
 */
import { instantiateModule } from "../runtime/instance.js";
import {
  COMMAND,
  COMPLETED,
  CHUNKS,
  DIRECTORY,
  EXIT,
  FAILED,
  GENERATION,
  KERNEL,
  KERNEL_KEYS,
  SCALARS,
  SLOT_BUSY,
  SLOT_READY,
  SLOT_RUNS,
  SLOT_STATUS,
  claimOrder,
  controlBytes,
  pollWhileEqual,
  runClaimedChunks,
  slotWord,
  type WorkerInit,
} from "./control.js";

export async function serve(init: WorkerInit): Promise<void> {
  const { kernels } = await instantiateModule(init.module, init.binary, init.memory);
  const byIndex = KERNEL_KEYS.map((key) => kernels[key]);
  const control = new Int32Array(init.memory.buffer, init.control, controlBytes(init.workers) / 4);
  const busy = slotWord(init.slot, SLOT_BUSY);
  const order = claimOrder(init.slot + 1, init.workers + 1);
  let seen = Atomics.load(control, GENERATION);
  Atomics.store(control, slotWord(init.slot, SLOT_READY), 1);
  for (;;) {
    if (pollWhileEqual(control, GENERATION, seen) === seen) Atomics.wait(control, GENERATION, seen);
    const generation = Atomics.load(control, GENERATION);
    if (generation === seen) continue;
    seen = generation;
    if (Atomics.load(control, COMMAND) === EXIT) return;
    runClaimedChunks(control, generation, order, (chunk) => {
      // Read after the claim: the calling thread publishes the next call only once this chunk is done.
      const directory = new Uint32Array(init.memory.buffer, Atomics.load(control, DIRECTORY) + chunk * 8, 2);
      Atomics.store(control, busy, chunk + 1);
      try {
        byIndex[Atomics.load(control, KERNEL)](directory[0], directory[1], Atomics.load(control, SCALARS));
      } catch {
        Atomics.store(control, slotWord(init.slot, SLOT_STATUS), FAILED);
      }
      Atomics.store(control, busy, 0);
      if (directory[1] > 0) Atomics.add(control, slotWord(init.slot, SLOT_RUNS), 1);
      if (Atomics.add(control, COMPLETED, 1) + 1 === Atomics.load(control, CHUNKS)) Atomics.notify(control, COMPLETED);
    });
  }
}
