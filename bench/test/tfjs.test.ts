import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";

import { TFJS_OPTIMIZERS, createTfjsStepper, initTfjs, type TfjsBackend } from "../src/baselines/tfjs.js";

const BACKENDS: readonly TfjsBackend[] = ["tfjs-cpu", "tfjs-wasm"];

// describe blocks run in order, so this also covers switching cpu -> wasm in one process.
describe.each(BACKENDS)("TF.js baseline on %s", (backend) => {
  it("initialises and reports the backend", async () => {
    const info = await initTfjs(backend);
    expect(info.backend).toBe(backend);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(tf.getBackend()).toBe(backend === "tfjs-wasm" ? "wasm" : "cpu");
    if (backend === "tfjs-cpu") expect(info.simd).toBe(false);
    // idempotent
    expect(await initTfjs(backend)).toEqual(info);
  });

  it("sgd lr 0.1: [1,2,3] - 0.1*[0.5,0.5,0.5] = [0.95,1.95,2.95]", async () => {
    const params = new Float32Array([1, 2, 3]);
    const s = await createTfjsStepper(backend, "sgd", { lr: 0.1 }, params, new Float32Array([0.5, 0.5, 0.5]));
    expect(s).not.toBeNull();
    s!.step();
    const out = s!.read();
    expect(out).toBeInstanceOf(Float32Array);
    [0.95, 1.95, 2.95].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    expect(params).toEqual(new Float32Array([1, 2, 3])); // inputs were copied
    s!.dispose();
  });

  it("adam: one step moves each param by about -lr*sign(grad)", async () => {
    const lr = 0.01;
    const params = new Float32Array([1, -2, 3, 0.5]);
    const grads = new Float32Array([0.3, -4, 1e-3, -0.2]);
    const s = await createTfjsStepper(backend, "adam", { lr }, params, grads);
    s!.step();
    const out = s!.read();
    for (let i = 0; i < params.length; i++) {
      expect(out[i] - params[i]).toBeCloseTo(-lr * Math.sign(grads[i]), 4);
    }
    s!.dispose();
  });

  it("returns null for an optimizer TF.js lacks", async () => {
    const p = new Float32Array([1, 2]);
    expect(await createTfjsStepper(backend, "nadam", {}, p, p)).toBeNull();
  });

  it.each(TFJS_OPTIMIZERS)(
    "%s: numTensors is stable over 10 steps and back to baseline after dispose",
    async (name) => {
      await initTfjs(backend);
      const before = tf.memory().numTensors;
      const n = 1000;
      const params = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
      // Bounded away from 0: TF.js's centered RMSprop takes sqrt(ms - mg^2 - eps), NaN for tiny grads.
      const grads = Float32Array.from({ length: n }, (_, i) => (1.5 + Math.cos(i)) * 0.1);
      const opts = name === "rmsprop" ? { momentum: 0.9, centered: true } : {};
      const s = await createTfjsStepper(backend, name, opts, params, grads);
      s!.step(); // the first step allocates the optimizer's slot variables
      const after1 = tf.memory().numTensors;
      for (let i = 0; i < 10; i++) s!.step();
      expect(tf.memory().numTensors).toBe(after1);
      const out = s!.read();
      expect(out.every(Number.isFinite)).toBe(true);
      expect(out).not.toEqual(params);
      s!.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it("refuses to step while another backend is active", async () => {
    const other: TfjsBackend = backend === "tfjs-cpu" ? "tfjs-wasm" : "tfjs-cpu";
    const p = new Float32Array([1, 2]);
    const s = await createTfjsStepper(backend, "sgd", {}, p, p);
    await initTfjs(other);
    expect(() => s!.step()).toThrow(/active TF\.js backend/);
    await initTfjs(backend);
    s!.step();
    s!.dispose();
  });
});
