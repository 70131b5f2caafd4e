// What threads rely on from the engine: a Wasm store into a shared memory on one thread is seen by
// a worker, through its own instance of the module and through a view, and the worker's stores are
// seen back, also after the memory grew. Bun was reported not to show Wasm stores to workers
// (oven-sh/bun#25677); `npm run test:runtimes` runs this file under Bun too.
import { Worker } from "node:worker_threads";
import { expect, test } from "vitest";

// (module (import "env" "memory" (memory 1 65536 shared))
//   (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
//   (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f,
  0x01, 0x7f, 0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x03, 0x01,
  0x80, 0x80, 0x04, 0x03, 0x03, 0x02, 0x00, 0x01, 0x07, 0x10, 0x02, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x00,
  0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01, 0x0a, 0x13, 0x02, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00,
  0x0b, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b,
]);

interface Exports {
  store(address: number, value: number): void;
  load(address: number): number;
}

// The worker: instantiates the module over the memory it is given; on each message, reads the
// addresses it is sent (through Wasm and through a view), then stores its own value.
const WORKER = `
  const { parentPort, workerData } = require("node:worker_threads");
  const { memory, bytes } = workerData;
  const wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  parentPort.on("message", ({ read, write }) => {
    const view = new Int32Array(memory.buffer);
    const seen = read.map((address) => [wasm.load(address), view[address / 4]]);
    wasm.store(write.address, write.value);
    parentPort.postMessage(seen);
  });
`;

test("Wasm stores into a shared memory are seen by a worker and back, also after growth", async () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const wasm = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { memory } })
    .exports as unknown as Exports;
  const worker = new Worker(WORKER, { eval: true, workerData: { memory, bytes: MODULE } });
  const ask = (read: number[], write: { address: number; value: number }) =>
    new Promise<number[][]>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.postMessage({ read, write });
    });
  try {
    wasm.store(64, 41);
    expect(await ask([64], { address: 128, value: 42 })).toEqual([[41, 41]]);
    expect(wasm.load(128)).toBe(42);
    memory.grow(8); // the worker's instance and a fresh view see the new pages too
    wasm.store(5 * 65536 + 16, 43);
    expect(await ask([64, 5 * 65536 + 16], { address: 6 * 65536, value: 44 })).toEqual([
      [41, 41],
      [43, 43],
    ]);
    expect(wasm.load(6 * 65536)).toBe(44);
  } finally {
    await worker.terminate();
  }
});
