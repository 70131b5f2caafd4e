// The lifecycle property test: random programs of create / step (with a closure that disposes an
// optimizer or a parameter, saves or loads) / dispose / save / load over optimizers of a few kinds
// in three runtimes (SIMD, scalar with disposed blocks reused at once, two threads). Every
// optimizer has a twin over the plain-JS reference binary in a runtime of its own, which does what
// succeeded and nothing else. After every action, every live parameter and the state of every
// usable optimizer are bit-identical to their twin's: nothing changed but by its own optimizer's
// step, and a refusal changed nothing at all. SIMDOPT_LIFECYCLE_RUNS sets the number of programs.
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  createOptimizer,
  KerasAdam,
  loadRuntime,
  loadSafetensors,
  saveSafetensors,
  type Optimizer,
  type OptimizerStateDict,
  type Parameter,
  type Runtime,
} from "../dist/index.js";
import type { CheckpointTarget } from "../src/checkpoint/state-dict.js";
import { memoryUse, randomArray, setQuarantine } from "./helpers.js";

const RUNS = Number(process.env.SIMDOPT_LIFECYCLE_RUNS ?? 5000);

const KINDS = ["adam", "sgd", "lamb", "kerasAdam"] as const;
type Kind = (typeof KINDS)[number];
type Format = "dict" | "safetensors";

/** What a closure does besides returning the loss. */
type Effect =
  | { type: "disposeOptimizer"; target: number }
  | { type: "disposeParam"; target: number; param: number }
  | { type: "save"; target: number; format: Format }
  | { type: "load"; target: number; from: number; format: Format };

type Action =
  | { type: "create"; kind: Kind; runtime: number; lengths: number[]; seed: number }
  | { type: "step"; target: number; seed: number; closure: Effect | null }
  | { type: "dispose"; target: number }
  | { type: "disposeParam"; target: number; param: number }
  | { type: "save"; target: number; format: Format }
  | { type: "load"; target: number; from: number; format: Format };

const index = fc.nat({ max: 7 });
const format = fc.constantFrom<Format>("dict", "safetensors");
const effect: fc.Arbitrary<Effect> = fc.oneof(
  fc.record({ type: fc.constant("disposeOptimizer" as const), target: index }),
  fc.record({ type: fc.constant("disposeParam" as const), target: index, param: index }),
  fc.record({ type: fc.constant("save" as const), target: index, format }),
  fc.record({ type: fc.constant("load" as const), target: index, from: index, format }),
);
const create = fc.record({
  type: fc.constant("create" as const),
  kind: fc.constantFrom(...KINDS),
  runtime: fc.nat({ max: 2 }),
  lengths: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 2 }),
  seed: fc.nat(),
});
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: create, weight: 2 },
  {
    arbitrary: fc.record({
      type: fc.constant("step" as const),
      target: index,
      seed: fc.nat(),
      closure: fc.option(effect, { freq: 2 }),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ type: fc.constant("dispose" as const), target: index }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant("disposeParam" as const), target: index, param: index }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant("save" as const), target: index, format }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant("load" as const), target: index, from: index, format }), weight: 1 },
);
const program = fc
  .tuple(create, fc.array(action, { minLength: 1, maxLength: 6 }))
  .map(([first, rest]) => [first, ...rest]);

/** An optimizer of the program and its twin, with their parameters. */
interface Pair {
  kind: Kind;
  real: Optimizer<object>;
  twin: Optimizer<object>;
  params: Parameter[];
  twinParams: Parameter[];
  disposed: boolean;
}

interface Checkpoint {
  /** The optimizer it was saved from. */
  source: Optimizer<object>;
  format: Format;
  data: OptimizerStateDict<object> | Uint8Array;
}

let runtimes: Runtime[];
let twinRuntime: Runtime;
/** What the programs did, so that the test cannot pass by doing nothing. */
const done = { steps: 0, refusedSteps: 0, loads: 0, closureEffects: 0 };
/** Bytes in live blocks of each runtime before the programs. */
let liveBefore: number[];
beforeAll(async () => {
  const reusing = await loadRuntime({ binary: "scalar", threads: 1 });
  setQuarantine(reusing, 0); // a disposed block is reused by the next allocation: use after free shows
  const threaded = await loadRuntime({ threads: 2 });
  threaded.threadMinElements = 0; // every step is split between the two threads
  await threaded.startThreads();
  runtimes = [await loadRuntime({ threads: 1 }), reusing, threaded];
  twinRuntime = await loadRuntime({ binary: "reference" });
  liveBefore = [...runtimes, twinRuntime].map((runtime) => memoryUse(runtime).liveBytes);
});
afterAll(() => {
  for (const runtime of runtimes) runtime.close();
});

function make(kind: Kind, params: Parameter[]): Optimizer<object> {
  if (kind === "kerasAdam") return new KerasAdam(params, { clipnorm: 0.5 }) as unknown as Optimizer<object>;
  if (kind === "sgd") return createOptimizer("sgd", params, { lr: 0.1, momentum: 0.9 }) as Optimizer<object>;
  return createOptimizer(kind, params) as Optimizer<object>;
}

const usable = (pair: Pair) => !pair.disposed && pair.params.every((p) => !p.isDisposed);

/** Runs `body`; true when it returned, false when it threw. */
function succeeds(body: () => unknown): boolean {
  try {
    body();
    return true;
  } catch {
    return false;
  }
}

function save(optimizer: Optimizer<object>, format: Format): Checkpoint {
  return { source: optimizer, format, data: format === "dict" ? optimizer.stateDict() : saveSafetensors(optimizer) };
}

/**
 * The checkpoint a load takes: for an even `from`, one saved from `optimizer` itself where there is
 * one (most others are refused: another kind, or other lengths); any for an odd one.
 */
function pick(saved: Checkpoint[], optimizer: Optimizer<object>, from: number): Checkpoint | undefined {
  const own = saved.filter((checkpoint) => checkpoint.source === optimizer);
  const choices = from % 2 === 0 && own.length > 0 ? own : saved;
  return choices[Math.floor(from / 2) % choices.length];
}

function load(optimizer: Optimizer<object>, { format, data }: Checkpoint): void {
  if (format === "dict") optimizer.loadStateDict(data as OptimizerStateDict<object>);
  else loadSafetensors(optimizer, data as Uint8Array);
}

function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function fail(message: string): never {
  throw new Error(message);
}

/**
 * True when two optimizers' states are bit-identical: options, step counts, scalar state and every
 * state buffer. What `stateDict()` holds, read through the checkpoint code's access to the
 * optimizer (a stateDict() per optimizer per action would take most of the test's time).
 */
function sameState(a: Optimizer<object>, b: Optimizer<object>): boolean {
  const target = (o: Optimizer<object>) =>
    (o as unknown as { checkpointTarget(): CheckpointTarget }).checkpointTarget();
  const [ta, tb] = [target(a), target(b)];
  const scalars = (t: CheckpointTarget) =>
    JSON.stringify(t.groups.map((g) => [g.options, g.steps, g.states, g.initialised]));
  if (scalars(ta) !== scalars(tb)) return false;
  return ta.groups.every((group, g) =>
    group.params.every((param, i) =>
      ta.bufferNames.every(
        (_, k) =>
          group.layout[i][k] === null ||
          !group.initialised ||
          sameBits(ta.view(g, param, k), tb.view(g, tb.groups[g].params[i], k)),
      ),
    ),
  );
}

/** Every live parameter and every usable optimizer's state equal their twin's, bit for bit. */
function checkWorld(pairs: Pair[], after: string): void {
  pairs.forEach((pair, i) => {
    pair.params.forEach((param, j) => {
      const twin = pair.twinParams[j];
      if (param.isDisposed !== twin.isDisposed) fail(`${after}: parameter ${j} of optimizer ${i}: disposed differs`);
      if (param.isDisposed) return;
      if (!sameBits(param.data, twin.data)) fail(`${after}: parameter ${j} of optimizer ${i} (${pair.kind}) changed`);
      if (!sameBits(param.grad, twin.grad)) fail(`${after}: gradient ${j} of optimizer ${i} (${pair.kind}) changed`);
    });
    if (usable(pair)) {
      if (!sameState(pair.real, pair.twin)) fail(`${after}: the state of optimizer ${i} (${pair.kind}) changed`);
    } else if (succeeds(() => pair.real.stateDict())) {
      fail(`${after}: optimizer ${i} is not usable, yet stateDict() answered`);
    }
  });
}

/** Does `effect` (of a closure) on the real side; returns what to replay on the twins, or throws. */
function closureEffect(pairs: Pair[], saved: Checkpoint[], effect: Effect): (() => void) | undefined {
  const pair = pairs[effect.target % pairs.length];
  switch (effect.type) {
    case "disposeOptimizer":
      pair.real.dispose();
      pair.disposed = true;
      return () => pair.twin.dispose();
    case "disposeParam": {
      const j = effect.param % pair.params.length;
      pair.params[j].dispose();
      return () => pair.twinParams[j].dispose();
    }
    case "save":
      saved.push(save(pair.real, effect.format));
      return undefined;
    case "load": {
      const checkpoint = pick(saved, pair.real, effect.from);
      if (checkpoint === undefined) return undefined;
      load(pair.real, checkpoint);
      done.loads++;
      return () => load(pair.twin, checkpoint);
    }
  }
}

function run(actions: Action[]): void {
  const pairs: Pair[] = [];
  const saved: Checkpoint[] = [];
  try {
    actions.forEach((action, n) => {
      const where = `action ${n} (${action.type})`;
      if (action.type === "create") {
        const values = action.lengths.map((length, j) => randomArray(length, action.seed + j));
        const params = values.map((v) => runtimes[action.runtime].parameter(v));
        const twinParams = values.map((v) => twinRuntime.parameter(v));
        pairs.push({
          kind: action.kind,
          real: make(action.kind, params),
          twin: make(action.kind, twinParams),
          params,
          twinParams,
          disposed: false,
        });
        checkWorld(pairs, where);
        return;
      }
      const pair = pairs[action.target % pairs.length];
      const wasUsable = usable(pair);
      switch (action.type) {
        case "step": {
          if (wasUsable) {
            pair.params.forEach((param, j) => {
              const grad = randomArray(param.length, action.seed + j);
              param.setGrad(grad);
              pair.twinParams[j].setGrad(grad);
            });
          }
          let replay: (() => void) | undefined;
          let effectFailed = false;
          const stepped = succeeds(() =>
            pair.real.step(() => {
              if (action.closure === null) return 0;
              try {
                replay = closureEffect(pairs, saved, action.closure);
              } catch (error) {
                effectFailed = true;
                throw error;
              }
              return 0;
            }),
          );
          replay?.();
          const disposedItself =
            action.closure?.type === "disposeOptimizer" && pairs[action.closure.target % pairs.length] === pair;
          if (wasUsable && disposedItself && (pair.disposed || !effectFailed))
            fail(`${where}: dispose() inside the step was not refused`);
          const expected = wasUsable && !effectFailed && usable(pair);
          if (stepped !== expected) fail(`${where}: step() ${stepped ? "ran" : "was refused"}, expected otherwise`);
          if (stepped) {
            pair.twin.step();
            done.steps++;
          } else done.refusedSteps++;
          if (replay !== undefined) done.closureEffects++;
          break;
        }
        case "dispose":
          pair.real.dispose();
          pair.twin.dispose();
          pair.disposed = true;
          break;
        case "disposeParam": {
          const j = action.param % pair.params.length;
          pair.params[j].dispose();
          pair.twinParams[j].dispose();
          break;
        }
        case "save": {
          const ok = succeeds(() => saved.push(save(pair.real, action.format)));
          if (ok !== wasUsable) fail(`${where}: saving ${ok ? "succeeded" : "was refused"}, expected otherwise`);
          break;
        }
        case "load": {
          const checkpoint = pick(saved, pair.real, action.from);
          if (checkpoint === undefined) break;
          if (succeeds(() => load(pair.real, checkpoint))) {
            if (!wasUsable) fail(`${where}: a load into an unusable optimizer succeeded`);
            load(pair.twin, checkpoint);
            done.loads++;
          }
          break;
        }
      }
      checkWorld(pairs, where);
    });
  } finally {
    for (const pair of pairs) {
      pair.real.dispose();
      pair.twin.dispose();
      for (const param of [...pair.params, ...pair.twinParams]) param.dispose();
    }
  }
}

test(`${RUNS} random programs keep every live parameter and state as their own steps left them`, () => {
  fc.assert(fc.property(program, run), { numRuns: RUNS });
  // The programs leak nothing: with the quarantine emptied, every runtime has what it had before.
  const liveAfter = [...runtimes, twinRuntime].map((runtime) => {
    setQuarantine(runtime, 0);
    runtime.parameter(1).dispose(); // drains the quarantine
    return memoryUse(runtime).liveBytes;
  });
  expect(liveAfter).toEqual(liveBefore);
  for (const [what, count] of Object.entries(done)) expect(count, what).toBeGreaterThan(RUNS / 25);
  const pool = (runtimes[2] as unknown as { threadPool: { splitCalls: number } }).threadPool;
  expect(pool.splitCalls, "steps split between two threads").toBeGreaterThan(RUNS / 20);
}, 120_000);
