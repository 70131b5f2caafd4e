// Workers that do not start (a bundle that did not emit the worker, a blocked script): the pool's
// thread count says what runs, and under `threads: "auto"` they are left out quietly, while a count
// asked for reports them at the next step. Driven with fake workers over a real control block.
import { expect, test } from "vitest";
import { controlBytes } from "../dist/threads/control.js";
import { ThreadPool } from "../dist/threads/pool.js";
import { ThreadError } from "../dist/index.js";

type Spawn = ConstructorParameters<typeof ThreadPool>[5];

/** A pool of one worker started by `spawn`, over a fresh shared memory. */
function pool(spawn: Spawn, quietStartup: boolean): ThreadPool {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const module = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); // never instantiated here
  const made = new ThreadPool(memory, 0, 1, "simd-shared", module, spawn, quietStartup);
  (made as unknown as { startupMs: number }).startupMs = 50; // internal: the start-up wait, in ms
  expect(controlBytes(1)).toBeLessThan(65536);
  return made;
}

/** A worker whose script fails to load: the host reports it soon after the start. */
const failing: Spawn = (_init, onEnd) => {
  setTimeout(() => onEnd("threw: failed to load"), 1);
  return { terminate() {} };
};
/** A worker that never comes up and never reports anything. */
let terminated = 0;
const silent: Spawn = () => ({
  terminate: () => void terminated++,
});

/** One call on the pool: with no ready worker it runs on the calling thread. */
function run(threads: ThreadPool): number {
  let calls = 0;
  const kernel = () => void calls++;
  const table = { address: 0, count: 0, elements: 0, dtype: "float32" } as never;
  threads.run({} as never, "sgd", kernel, table, 0);
  return calls;
}

test.each([true, false])("before the start, the count is the plan (quiet start-up: %s)", (quiet) => {
  expect(pool(silent, quiet).threads).toBe(2);
});

test("auto: a worker that fails to start is left out quietly; threads says 1", async () => {
  const threads = pool(failing, true);
  expect(await threads.ready()).toBe(1);
  expect(threads.threads).toBe(1);
  expect(run(threads)).toBe(1); // the calling thread ran the call, and no ThreadError
});

test("auto: a worker that never comes up is ended after the start-up wait; threads says 1", async () => {
  const threads = pool(silent, true);
  const before = terminated;
  threads.start();
  expect(threads.threads).toBe(1); // started, not ready: steps run on the calling thread alone
  expect(await threads.ready()).toBe(1);
  expect(terminated).toBe(before + 1);
  expect(run(threads)).toBe(1);
});

test("a count asked for: the failure is reported at the next call, and the wait for a silent worker rejects", async () => {
  const threads = pool(failing, false);
  expect(await threads.ready()).toBe(1);
  let error: unknown;
  try {
    run(threads);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ThreadError);
  expect((error as Error).message).toMatch(/worker thread 1 threw: failed to load/);
  expect(run(threads)).toBe(1); // reported once; then the calling thread goes on
  await expect(pool(silent, false).ready()).rejects.toThrow(/worker thread 1 did not start within 0.05 s/);
});
