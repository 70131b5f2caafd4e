// Views into Wasm memory stay valid across growth, blocks are aligned and zeroed, and freed
// memory is reused.
import { describe, expect, test } from "vitest";
import { Adam, loadRuntime, SGD } from "../dist/index.js";
import { memoryUse, setQuarantine } from "./helpers.js";

describe.each(["simd", "scalar", "reference"] as const)("memory on %s", (binary) => {
  test("with a shared memory (the default here), views stay valid when it grows", async () => {
    const runtime = await loadRuntime({ binary, initialMemory: 65536 });
    expect(runtime.sharedMemory).toBe(true);
    const w = runtime.parameter(Float32Array.from([1, 2, 3, 4, 5]));
    const held = w.data;
    const bufferBefore = runtime.memory.buffer;
    const big = runtime.parameter(1 << 20); // forces growth
    expect(runtime.memory.buffer.byteLength).toBeGreaterThan(bufferBefore.byteLength);
    expect(Array.from(held)).toEqual([1, 2, 3, 4, 5]);
    w.grad.set([1, 1, 1, 1, 1]);
    new SGD([w, big], { lr: 0.5 }).step();
    expect(Array.from(held)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]); // the held view sees the step
    held[0] = 9;
    expect(w.data[0]).toBe(9);
  });

  test("with a plain memory, the properties give fresh views after growth", async () => {
    const runtime = await loadRuntime({ binary, initialMemory: 65536, sharedMemory: false });
    expect(runtime.sharedMemory).toBe(false);
    const w = runtime.parameter(Float32Array.from([1, 2, 3, 4, 5]));
    const stale = w.data;
    const big = runtime.parameter(1 << 20); // forces growth, which detaches the old buffer
    expect(stale.length).toBe(0); // a detached view is empty: it cannot show old numbers
    expect(Array.from(w.data)).toEqual([1, 2, 3, 4, 5]);
    w.grad.set([1, 1, 1, 1, 1]);
    new SGD([w, big], { lr: 0.5 }).step();
    expect(Array.from(w.data)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
  });

  test("state allocated after a parameter does not disturb its views", async () => {
    const runtime = await loadRuntime({ binary, initialMemory: 65536 });
    const w = runtime.parameter(20000, { dtype: "float64" });
    w.data.fill(1);
    w.grad.fill(0.05);
    const opt = new Adam([w], { lr: 0.1 }); // allocates 2 × 160 kB, growing the memory
    opt.step();
    // First Adam step: θ − lr·g/(|g| + ε)
    expect(w.data[0]).toBe(1 - 0.1 * (0.05 / (0.05 + 1e-8)));
    expect(w.data[19999]).toBe(w.data[0]);
  });

  test("blocks are 64-byte aligned, zero-filled and reused after dispose", async () => {
    const runtime = await loadRuntime({ binary });
    setQuarantine(runtime, 0); // the allocator's reuse, without the quarantine of disposed blocks
    const a = runtime.parameter(Float32Array.from([7, 7, 7]));
    expect(a.dataPtr % 64).toBe(0);
    expect(a.gradPtr % 64).toBe(0);
    const { liveBytes, highWater } = memoryUse(runtime);
    a.dispose();
    const b = runtime.parameter(3);
    expect(b.dataPtr).toBe(a.dataPtr);
    expect(Array.from(b.data)).toEqual([0, 0, 0]);
    expect(memoryUse(runtime).liveBytes).toBe(liveBytes);
    expect(memoryUse(runtime).highWater).toBe(highWater);
    const opt = new Adam([b], { amsgrad: true });
    const withState = memoryUse(runtime).liveBytes;
    opt.dispose();
    expect(memoryUse(runtime).liveBytes).toBeLessThan(withState);
  });

  test("copies out survive disposal; float64 parameters keep full precision", async () => {
    const runtime = await loadRuntime({ binary });
    const x = runtime.parameter(Float64Array.from([0.1, 1e-300]));
    expect(x.dtype).toBe("float64");
    const copy = x.toArray();
    x.dispose();
    expect(Array.from(copy)).toEqual([0.1, 1e-300]);
  });

  test("zeroGrad clears every gradient", async () => {
    const runtime = await loadRuntime({ binary });
    const a = runtime.parameter(5);
    const b = runtime.parameter(9);
    a.grad.fill(3);
    b.grad.fill(-2);
    new SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 }).zeroGrad();
    expect([...a.grad, ...b.grad].every((g) => g === 0)).toBe(true);
  });
});
