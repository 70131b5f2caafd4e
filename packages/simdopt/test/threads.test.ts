// Threads: a step split between the calling thread and workers over the shared memory gives the
// same bits as one thread, for every optimizer, option family and dtype; a worker that dies gives
// an error (never a hang), and the optimizer goes on with fewer threads; pools never keep a
// process alive and can be closed.
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createOptimizer,
  loadRuntime,
  OPTIMIZER_NAMES,
  ThreadError,
  type Dtype,
  type OptimizerName,
  type Runtime,
} from "../dist/index.js";
import { claimChunk, claimOrder, closeClaims, controlBytes } from "../dist/threads/control.js";
import { KERNEL_LAYOUTS } from "../dist/generated/kernels.js";
import { runProcess } from "../../../scripts/run-process.mjs";
import { OPTION_FAMILIES } from "./families.js";
import { decodedState, firstDifference, gradientsFor, randomArray } from "./helpers.js";

// Lengths that cut slices inside tensors, at their ends, and leave scalar tails; 0 and 1 included.
const LENGTHS = [1000, 0, 17, 4099, 1, 33, 2048];
const STEPS = 6;

interface Pool {
  splitCalls: number;
  chunksRun(): number[];
  controlAddress: number;
  minWaitMs: number;
  workers: { handle?: { terminate(): void }; alive: boolean }[];
}
const poolOf = (runtime: Runtime) => (runtime as unknown as { threadPool: Pool }).threadPool;

let single: Runtime;
let threaded: Runtime[];
beforeAll(async () => {
  single = await loadRuntime({ threads: 1 });
  // threadMinElements 0: every call is split, however small.
  threaded = await Promise.all([2, 3].map((threads) => loadRuntime({ threads, threadMinElements: 0 })));
  for (const runtime of threaded) expect(await runtime.startThreads()).toBe(poolOf(runtime).workers.length + 1);
});
afterAll(() => {
  // Every worker ran chunks of these calls (a worker that never woke in time would leave its share to the others).
  for (const runtime of threaded) for (const runs of poolOf(runtime).chunksRun()) expect(runs).toBeGreaterThan(0);
  threaded.forEach((runtime) => runtime.close());
});

/** Steps a group of tensors and returns the final values and every state buffer. */
function run(runtime: Runtime, name: OptimizerName, options: object, dtype: Dtype) {
  const params = LENGTHS.map((length, k) => runtime.parameter(randomArray(length, 3 + k), { dtype }));
  const optimizer = createOptimizer(name, params, options);
  for (let step = 0; step < STEPS; step++) {
    params.forEach((param, k) => param.setGrad(gradientsFor(param.length, step, 9 + k)));
    optimizer.step();
  }
  const values = params.map((param) => Array.from(param.data));
  const state = decodedState(optimizer.stateDict()).map((entry) =>
    Object.fromEntries(
      Object.entries(entry).map(([key, value]) => [
        key,
        typeof value === "number" ? [value] : Array.from(value as ArrayLike<number>),
      ]),
    ),
  );
  optimizer.dispose();
  params.forEach((param) => param.dispose());
  return { values, state };
}

describe.each(OPTIMIZER_NAMES)("%s: threads ≡ one thread", (name) => {
  const cases = OPTION_FAMILIES[name].flatMap((options) =>
    (["float32", "float64"] as const).map((dtype) => ({ options, dtype, label: JSON.stringify(options) })),
  );
  test.each(cases)("$dtype $label", ({ options, dtype }) => {
    const expected = run(single, name, options, dtype);
    for (const runtime of threaded) {
      const before = poolOf(runtime).splitCalls;
      const got = run(runtime, name, options, dtype);
      // Every step is split: element-wise kernels within tensors, kernels that reduce over whole
      // tensors between them (the group has several).
      expect(poolOf(runtime).splitCalls - before, "steps split between threads").toBe(STEPS);
      got.values.forEach((tensor, k) => {
        const at = firstDifference(tensor, expected.values[k]);
        expect(at, `${runtime.threads} threads: tensor ${k} (length ${LENGTHS[k]}) differs at ${at}`).toBe(-1);
      });
      got.state.forEach((entry, k) => {
        for (const [key, value] of Object.entries(entry)) {
          expect(
            firstDifference(value, expected.state[k][key]),
            `${runtime.threads} threads: ${key} of tensor ${k}`,
          ).toBe(-1);
        }
      });
    }
  });
});

describe("faults", () => {
  /** A threaded runtime with one Adam parameter big enough to be split, and a one-thread twin. */
  async function pair(n: number) {
    const make = async (threads: number) => {
      const runtime = await loadRuntime({ threads, threadMinElements: 1024 });
      await runtime.startThreads();
      const param = runtime.parameter(randomArray(n, 1));
      const optimizer = createOptimizer("adam", [param], { lr: 0.01 });
      const step = (s: number) => {
        param.setGrad(gradientsFor(n, s, 2));
        optimizer.step();
      };
      return { runtime, param, optimizer, step };
    };
    return { threaded: await make(2), single: await make(1) };
  }

  test("a worker ended between steps: the next step throws before changing anything, then steps go on", async () => {
    const { threaded: t, single: s } = await pair(50_000);
    t.step(0);
    s.step(0);
    poolOf(t.runtime).workers[0].handle!.terminate();
    while (t.runtime.threads !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = t.param.toArray();
    let error: unknown;
    try {
      t.step(1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThreadError);
    expect((error as ThreadError).updated).toBe("none");
    expect((error as ThreadError).threads).toBe(1);
    expect((error as Error).message).toMatch(
      /worker thread 1 exited.*no parameter or state of this call was updated.*not committed/,
    );
    expect(firstDifference(t.param.toArray(), before)).toBe(-1);
    expect(t.optimizer.stepCount()).toBe(1);
    // The same step again, on the calling thread alone: the runs agree.
    for (let step = 1; step < 4; step++) {
      t.step(step);
      s.step(step);
    }
    expect(t.optimizer.stepCount()).toBe(4);
    expect(firstDifference(t.param.toArray(), s.param.toArray())).toBe(-1);
  });

  /**
   * A runtime whose one worker fails as `failure` says at a chunk it claims (fixtures/claim-and-exit.mjs),
   * stepping Adam, or LAMB with the worker failing only in phase `failPhase`. Returns the error's
   * message, and whether the failed step left the parameter as it was.
   */
  async function failing(failure: "exit" | "throw", lamb?: { failPhase: number }) {
    const n = 1 << 20;
    const runtime = await loadRuntime({ threads: 2, threadMinElements: 1024 });
    const pool = poolOf(runtime) as Pool & { spawn: unknown; waitPerOwnTime: number };
    pool.minWaitMs = 300;
    pool.waitPerOwnTime = 1;
    pool.spawn = (init: object, onEnd: (reason: string) => void) => {
      const worker = new Worker(new URL("./fixtures/claim-and-exit.mjs", import.meta.url), {
        workerData: { simdopt: init, failure, phaseWord: KERNEL_LAYOUTS.lamb.blocks.words.phase, ...lamb },
      });
      worker.on("exit", (code) => onEnd(`exited with code ${code}`));
      return { terminate: () => void worker.terminate() };
    };
    expect(await runtime.startThreads()).toBe(2);
    const param = runtime.parameter(randomArray(n, 1));
    const optimizer = createOptimizer(lamb === undefined ? "adam" : "lamb", [param], { lr: 0.01 });
    param.setGrad(gradientsFor(n, 0, 2));
    let error: unknown;
    const started = performance.now();
    // Each step is a race for chunks: step until the worker has claimed one.
    let unchanged = false;
    for (let step = 0; step < 50 && error === undefined; step++) {
      const count = optimizer.stepCount();
      const before = param.toArray();
      try {
        optimizer.step();
      } catch (e) {
        error = e;
        expect(optimizer.stepCount(), "the failed step is not committed").toBe(count);
        unchanged = firstDifference(param.toArray(), before) === -1;
      }
    }
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(error).toBeInstanceOf(ThreadError);
    expect((error as ThreadError).updated).toBe("partly");
    expect(runtime.threads).toBe(1);
    // The optimizer goes on, on the calling thread.
    const count = optimizer.stepCount();
    optimizer.step();
    expect(optimizer.stepCount()).toBe(count + 1);
    return { message: (error as Error).message, unchanged };
  }

  test("a worker that dies holding a chunk: the step throws after a bounded wait, saying the parameters are partly updated", async () => {
    expect((await failing("exit")).message).toMatch(
      /worker thread 1 did not finish 1 of the call's 8 chunks within \d+ ms.*partly updated.*not committed/,
    );
  });

  test("a worker whose kernel throws: the step throws once the other chunks are done", async () => {
    expect((await failing("throw")).message).toMatch(
      /worker thread 1 threw in its kernel.*partly updated.*not committed/,
    );
  });

  test("LAMB: a worker that fails in phase 2, after every norm is summed, leaves the parameters partly updated", async () => {
    const thrown = await failing("throw", { failPhase: 2 });
    expect(thrown.message).toMatch(
      /worker thread 1 threw in its kernel in phase 2 of 2 .*parameters and state buffers are partly updated.*not committed/,
    );
    expect(thrown.unchanged, "the other slices were updated").toBe(false);
    expect((await failing("exit", { failPhase: 2 })).message).toMatch(
      /worker thread 1 did not finish 1 of the call's 8 chunks in phase 2 of 2 within \d+ ms.*partly updated/,
    );
  });

  test("LAMB: a worker that fails in phase 1 stops the call before phase 2", async () => {
    const thrown = await failing("throw", { failPhase: 1 });
    expect(thrown.message).toMatch(/threw in its kernel in phase 1 of 2 .*partly updated/);
    // Only the moments moved: no thread started on phase 2.
    expect(thrown.unchanged, "no parameter moved").toBe(true);
  });
});

describe("options and lifetime", () => {
  test("threadMinElements can be changed between steps: above a group's size its steps stay on the calling thread", async () => {
    const runtime = await loadRuntime({ threads: 2, threadMinElements: 1024 });
    await runtime.startThreads();
    const param = runtime.parameter(randomArray(4096, 1)).setGrad(gradientsFor(4096, 0, 2));
    const optimizer = createOptimizer("adam", [param], { lr: 0.01 });
    const pool = poolOf(runtime);
    optimizer.step();
    expect(pool.splitCalls).toBe(1);
    runtime.threadMinElements = Number.MAX_SAFE_INTEGER;
    optimizer.step();
    expect([runtime.threadMinElements, pool.splitCalls]).toEqual([Number.MAX_SAFE_INTEGER, 1]);
    runtime.threadMinElements = 0;
    optimizer.step();
    expect(pool.splitCalls).toBe(2);
    expect(() => {
      runtime.threadMinElements = 1.5;
    }).toThrow(/option 'threadMinElements'/);
    expect(runtime.threadMinElements).toBe(0);
    runtime.close();
  });

  test("bad thread options are refused by name", async () => {
    for (const threads of [0, 1.5, -1, "many", 65]) {
      await expect(loadRuntime({ threads: threads as number })).rejects.toThrow(
        /option 'threads' must be 'auto' or a whole number/,
      );
    }
    await expect(loadRuntime({ threadMinElements: -1 })).rejects.toThrow(/option 'threadMinElements'/);
    await expect(loadRuntime({ threads: 2, binary: "reference" })).rejects.toThrow(
      /threads' is 2, but the plain-JS reference/,
    );
    await expect(loadRuntime({ threads: 2, sharedMemory: false })).rejects.toThrow(
      /threads' is 2, but the memory is not shared/,
    );
    expect((await loadRuntime({ threads: "auto", sharedMemory: false })).threads).toBe(1);
  });

  test("close() ends the workers; the optimizer goes on on the calling thread", async () => {
    const runtime = await loadRuntime({ threads: 2, threadMinElements: 0 });
    expect(await runtime.startThreads()).toBe(2);
    const param = runtime.parameter(randomArray(5000, 4));
    const optimizer = createOptimizer("sgd", [param], { lr: 0.1, momentum: 0.9 });
    param.setGrad(gradientsFor(5000, 0, 1));
    optimizer.step();
    runtime.close();
    expect(runtime.threads).toBe(1);
    optimizer.step();
    expect(optimizer.stepCount()).toBe(2);
  });

  test("a process with a threaded runtime that was never closed exits by itself", async () => {
    const script = `
      import { loadRuntime, createOptimizer } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      const runtime = await loadRuntime({ threads: 2, threadMinElements: 0 });
      const param = runtime.parameter(1000);
      param.grad.fill(1);
      const optimizer = createOptimizer("adam", [param], {});
      console.log(await runtime.startThreads());
      optimizer.step();
      console.log(param.data.every((value) => value === param.data[0] && value < 0 && value > -0.0011));
    `;
    const { status, stdout, stderr } = await runProcess(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 240_000,
    });
    expect(status, `the script failed or did not exit by itself:\n${stderr}`).toBe(0);
    expect(stdout.trim().split("\n")).toEqual(["2", "true"]);
  });
});

describe("claiming chunks", () => {
  test("each thread tries its own run first, then the others' from their ends", () => {
    expect([...claimOrder(0, 2)]).toEqual([0, 1, 2, 3, 7, 6, 5, 4]);
    expect([...claimOrder(1, 3)]).toEqual([4, 5, 6, 7, 11, 10, 9, 8, 3, 2, 1, 0]);
  });

  test("every chunk of a generation is claimed once, and none after the generation is closed", () => {
    const workers = 2;
    const control = new Int32Array(new SharedArrayBuffer(controlBytes(workers)));
    const orders = [0, 1, 2].map((thread) => claimOrder(thread, workers + 1));
    for (const generation of [1, 2]) {
      const claimed: number[] = [];
      const cursors = [0, 0, 0];
      for (let round = 0; cursors.some((c) => c >= 0); round++) {
        const thread = round % 3; // the threads take turns
        if (cursors[thread] < 0) continue;
        const at = claimChunk(control, generation, orders[thread], cursors[thread]);
        cursors[thread] = at < 0 ? -1 : at + 1;
        if (at >= 0) claimed.push(orders[thread][at]);
      }
      expect(claimed.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    }
    // A thread still in generation 2 takes nothing of generation 3, even where 3 has begun.
    expect(orders[1][claimChunk(control, 3, orders[1], 0)]).toBe(4);
    expect(orders.map((order) => claimChunk(control, 2, order, 0))).toEqual([-1, -1, -1]);
    closeClaims(control, 3, workers);
    expect(orders.map((order) => claimChunk(control, 3, order, 0))).toEqual([-1, -1, -1]);
  });
});

describe("kernels that reduce over tensors, with groups of shaped tensors", () => {
  const SHAPES = [[30, 40], [7], [2, 3, 5], [16, 9], [300]];
  test.each(["adafactor", "optax:adafactor", "lamb"] as const)(
    "%s: a group of shaped tensors, split between them ≡ one thread",
    (name) => {
      const step = (runtime: Runtime) => {
        const params = SHAPES.map((shape, k) =>
          runtime.parameter(
            randomArray(
              shape.reduce((a, b) => a * b, 1),
              5 + k,
            ),
            { shape },
          ),
        );
        const optimizer = createOptimizer(name, params, {
          ...OPTION_FAMILIES[name][0],
          ...(name === "optax:adafactor" ? { minDimSizeToFactor: 4 } : {}),
        });
        for (let s = 0; s < STEPS; s++) {
          params.forEach((param, k) => param.setGrad(gradientsFor(param.length, s, 11 + k)));
          optimizer.step();
        }
        const values = params.map((param) => Array.from(param.data));
        optimizer.dispose();
        params.forEach((param) => param.dispose());
        return values;
      };
      const expected = step(single);
      for (const runtime of threaded) {
        const before = poolOf(runtime).splitCalls;
        const got = step(runtime);
        expect(poolOf(runtime).splitCalls - before).toBe(STEPS);
        got.forEach((tensor, k) => expect(firstDifference(tensor, expected[k]), `tensor ${k}`).toBe(-1));
      }
    },
  );
});

describe("blocked kernels cut one tensor between threads at their blocks", () => {
  // One tensor of several blocks and a part block, its last elements in the scalar tail; for
  // Adafactor, blocks of whole rows too (rows of 1001 columns: no row starts on a vector), in one
  // batch and in several, and blocks of many small batches. The slices of 2 and 3 threads (8 and 12 chunks) each get blocks of it.
  const LAMB_BLOCK = KERNEL_LAYOUTS.lamb.blocks.elements;
  const ADAFACTOR_BLOCK = KERNEL_LAYOUTS.adafactor.blocks.elements;
  const rowsPerBlock = Math.floor(ADAFACTOR_BLOCK / 1001);
  const shapes = {
    lamb: [[13 * LAMB_BLOCK + 3]],
    "optax:lamb": [[13 * LAMB_BLOCK + 3]],
    adafactor: [
      [13 * ADAFACTOR_BLOCK + 3],
      [12 * rowsPerBlock + 5, 1001],
      [4, 3 * rowsPerBlock - 2, 1001],
      [25000, 3, 3], // blocks of whole batches
    ],
  };
  const blockedChunks = new Map<string, number[]>();
  afterAll(() => {
    // For each kernel and threaded runtime, the workers ran chunks of these single tensors. Not each
    // worker: on a loaded machine one woken late can leave all its share to the others, as the pool
    // means it to (it did, for optax:lamb's worker 1 of 2 with two CPU hogs beside the tests).
    expect(blockedChunks.size).toBe(3 * threaded.length);
    for (const [key, runs] of blockedChunks) {
      expect(
        runs.reduce((sum, count) => sum + count, 0),
        `${key}: chunks the workers ran`,
      ).toBeGreaterThan(0);
    }
  });

  const cases = (["lamb", "optax:lamb", "adafactor"] as const).flatMap((name) =>
    OPTION_FAMILIES[name].flatMap((options) =>
      (["float32", "float64"] as const).flatMap((dtype) =>
        shapes[name].map((shape) => ({
          name,
          options,
          dtype,
          shape,
          label: `${JSON.stringify(shape)} ${JSON.stringify(options)}`,
        })),
      ),
    ),
  );
  test.each(cases)("$name $dtype $label: 2 and 3 threads ≡ one thread", ({ name, options, dtype, shape }) => {
    const length = shape.reduce((a, b) => a * b, 1);
    const step = (runtime: Runtime) => {
      const param = runtime.parameter(randomArray(length, 21), { dtype, shape });
      const optimizer = createOptimizer(name, [param], options);
      for (let s = 0; s < STEPS; s++) {
        param.setGrad(gradientsFor(length, s, 23));
        optimizer.step();
      }
      const values = Array.from(param.data);
      const state = Object.entries(decodedState(optimizer.stateDict())[0]).filter(([, v]) => typeof v !== "number");
      optimizer.dispose();
      param.dispose();
      return { values, state: state.map(([key, v]) => [key, Array.from(v as ArrayLike<number>)] as const) };
    };
    const expected = step(single);
    expect(
      firstDifference(expected.values, randomArray(length, 21).map(dtype === "float32" ? Math.fround : Number)),
    ).not.toBe(-1);
    for (const runtime of threaded) {
      const pool = poolOf(runtime);
      const before = { split: pool.splitCalls, runs: pool.chunksRun() };
      const got = step(runtime);
      expect(pool.splitCalls - before.split, "steps split between threads").toBe(STEPS);
      const runs = pool.chunksRun().map((count, worker) => count - before.runs[worker]);
      const key = `${name} on ${runtime.threads} threads`;
      blockedChunks.set(
        key,
        (blockedChunks.get(key) ?? runs.map(() => 0)).map((total, worker) => total + runs[worker]),
      );
      expect(firstDifference(got.values, expected.values), `${runtime.threads} threads`).toBe(-1);
      expect(got.state.map(([key]) => key)).toEqual(expected.state.map(([key]) => key));
      got.state.forEach(([key, value], k) =>
        expect(firstDifference(value, expected.state[k][1]), `${runtime.threads} threads: ${key}`).toBe(-1),
      );
    }
  });
});
