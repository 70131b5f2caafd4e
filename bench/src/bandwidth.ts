/**
 * The memory-bandwidth reference, measured in the same run over the same buffer sizes as the
 * optimizers: a WebAssembly SIMD kernel with exactly an optimizer's steady-state traffic, one
 * read-only stream (the gradient) and `written` read-modify-write streams (parameter and state):
 *
 *     for each 16-byte vector i:  x = g[i];  a_1[i] += x;  ...;  a_k[i] += x      (i32x4.add)
 *
 * It moves (1 + 2k) × bytesPerElement bytes per parameter, like the optimizer, with next to no
 * arithmetic, so its time is what the memory system (or, for small sizes, the cache) allows for
 * that traffic; an optimizer's "% of bandwidth" is reference time / optimizer time. Integer adds
 * keep it independent of the element type and free of floating-point slow paths.
 *
 * The module is emitted here as bytes (no toolchain needed at build or run time): one exported
 * function `rmw<k>(nbytes, g, a1, ..., ak)` per k in 1..MAX_STREAMS, over an imported memory
 * (a shared one for the two-thread reference, bandwidth-threads.ts).
 */

export const MAX_STREAMS = 6;

// The bench compiles without the DOM lib, whose typings carry WebAssembly; these are the parts used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
};

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  and: [0x71],
  geU: [0x4f],
  i32Load: [0x28, 0x02, 0x00],
  i32Store: [0x36, 0x02, 0x00],
  v128Load: [0xfd, 0x00, 0x04, 0x00],
  v128Store: [0xfd, 0x0b, 0x04, 0x00],
  i32x4Add: [0xfd, ...uleb(174)],
};

/** The body of rmw<k>: params 0 = nbytes, 1 = g, 2..k+1 = a_j; locals off, nvec, t (i32), x (v128). */
function kernelBody(k: number): number[] {
  const off = k + 2,
    nvec = k + 3,
    t = k + 4,
    x = k + 5;
  const addr = (p: number) => [...op.get(p), ...op.get(off), ...op.add];
  const code: number[] = [
    ...op.get(0),
    ...op.i32(-16),
    ...op.and,
    ...op.set(nvec),
    // vector loop over whole 16-byte blocks
    ...op.block,
    ...op.loop,
    ...op.get(off),
    ...op.get(nvec),
    ...op.geU,
    ...op.brIf(1),
    ...addr(1),
    ...op.v128Load,
    ...op.set(x),
  ];
  for (let j = 0; j < k; j++) {
    code.push(...addr(2 + j), ...addr(2 + j), ...op.v128Load, ...op.get(x), ...op.i32x4Add, ...op.v128Store);
  }
  code.push(
    ...op.get(off),
    ...op.i32(16),
    ...op.add,
    ...op.set(off),
    ...op.br(0),
    ...op.end,
    ...op.end,
    // remainder, 4 bytes at a time
    ...op.block,
    ...op.loop,
    ...op.get(off),
    ...op.get(0),
    ...op.geU,
    ...op.brIf(1),
    ...addr(1),
    ...op.i32Load,
    ...op.set(t),
  );
  for (let j = 0; j < k; j++) {
    code.push(...addr(2 + j), ...addr(2 + j), ...op.i32Load, ...op.get(t), ...op.add, ...op.i32Store);
  }
  code.push(...op.get(off), ...op.i32(4), ...op.add, ...op.set(off), ...op.br(0), ...op.end, ...op.end, ...op.end);
  const locals = vec([
    [3, I32],
    [1, V128],
  ]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/** Pages of wasm32's 4 GiB: the maximum a shared memory's import declares. */
const MAX_PAGES = 65536;

/** The module; `shared`: it imports a shared memory (limits flag 3: shared, with a maximum). */
export function bandwidthModuleBytes(shared = false): Uint8Array<ArrayBuffer> {
  const ks = Array.from({ length: MAX_STREAMS }, (_, i) => i + 1);
  const types = vec(ks.map((k) => [0x60, ...vec(Array.from({ length: k + 2 }, () => [I32])), 0x00]));
  const limits = shared ? [0x03, 0x01, ...uleb(MAX_PAGES)] : [0x00, 0x01];
  const imports = vec([[...name("env"), ...name("memory"), 0x02, ...limits]]);
  const funcs = vec(ks.map((_, i) => uleb(i)));
  const exports = vec(ks.map((k, i) => [...name(`rmw${k}`), 0x00, ...uleb(i)]));
  const code = vec(ks.map(kernelBody));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

let compiled: object | undefined;

export interface BandwidthKernel {
  /** One pass over all streams (the timed operation). */
  step(): void;
  /** Bytes read + written by one pass. */
  bytes: number;
  /** A copy of stream `j` (0 the read-only one), as 32-bit integers (tests check the passes). */
  read(j: number): Int32Array;
  dispose(): void;
}

const BASE = 65536;

/** Where `k` read-modify-write streams and the read-only one of `nbytes` each lie in a memory. */
export interface StreamLayout {
  /** Byte address of each stream, the read-only (gradient) stream first. */
  pointers: number[];
  /** Pages the memory needs. */
  pages: number;
  /** One past the last byte of the streams. */
  end: number;
}

export function streamLayout(k: number, nbytes: number): StreamLayout {
  if (!Number.isInteger(k) || k < 1 || k > MAX_STREAMS)
    throw new RangeError(`bandwidth: streams must be 1..${MAX_STREAMS}, got ${k}`);
  if (nbytes % 4 !== 0) throw new RangeError(`bandwidth: byte count must be a multiple of 4, got ${nbytes}`);
  // 64-byte aligned streams, each padded to a cache-line multiple.
  const stride = Math.ceil(nbytes / 64) * 64 + 64;
  const end = BASE + (k + 1) * stride;
  if (end > 4 * 1024 ** 3) throw new RangeError(`bandwidth: ${end} bytes exceed the 4 GiB of wasm32`);
  return { pointers: Array.from({ length: k + 1 }, (_, j) => BASE + j * stride), pages: Math.ceil(end / 65536), end };
}

/** A memory of `pages` (shared, or not) with the module instantiated over it: its `rmw<k>` export. */
export function bandwidthInstance(
  k: number,
  pages: number,
  shared: boolean,
): { memory: WasmMemory; run: (...args: number[]) => void } {
  let module: object;
  if (shared) module = new WebAssembly.Module(bandwidthModuleBytes(true));
  else module = compiled ??= new WebAssembly.Module(bandwidthModuleBytes());
  const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { memory, run: instance.exports[`rmw${k}`] as (...args: number[]) => void };
}

/** Sets up `k` read-modify-write streams plus one read-only stream of `nbytes` each, in a fresh memory. */
export function createBandwidthKernel(k: number, nbytes: number): BandwidthKernel {
  const layout = streamLayout(k, nbytes);
  const { memory, run } = bandwidthInstance(k, layout.pages, false);
  // Touch every page (and give the streams non-zero contents).
  new Uint8Array(memory.buffer).fill(1, BASE, layout.end);
  const args = [nbytes, ...layout.pointers];
  return {
    step: () => run(...args),
    bytes: (1 + 2 * k) * nbytes,
    read: (j) => new Int32Array(memory.buffer, layout.pointers[j], nbytes / 4).slice(),
    dispose: () => {},
  };
}

/** Test hook: run the kernel once over small arrays and return the k written streams. */
export function bandwidthKernelSelfTest(k: number, n: number): { g: Int32Array; streams: Int32Array[] } {
  compiled ??= new WebAssembly.Module(bandwidthModuleBytes());
  const nbytes = n * 4;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((BASE + (k + 1) * (nbytes + 64)) / 65536) });
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  const ptr = (j: number) => BASE + j * (nbytes + 64);
  const view = (j: number) => new Int32Array(memory.buffer, ptr(j), n);
  for (let j = 0; j <= k; j++) view(j).forEach((_, i, a) => (a[i] = i * (j + 1)));
  (instance.exports[`rmw${k}`] as (...args: number[]) => void)(
    nbytes,
    ...Array.from({ length: k + 1 }, (_, j) => ptr(j)),
  );
  return { g: view(0), streams: Array.from({ length: k }, (_, j) => view(j + 1)) };
}
