// Checkpoints take time in proportion to the number of parameters: stateDict, loadStateDict,
// saveSafetensors and loadSafetensors are counted, not timed. The count is the work of every
// array search and walk (an element visited by indexOf/includes, a callback of find/some/map/...,
// a step of an array, Set or Map iterator): a lookup by name in a loop over the parameters shows
// up as n² visits. Ten times the parameters must cost at most about ten times the work.
import { beforeAll, expect, test } from "vitest";
import { Adam, ASGD, loadRuntime, loadSafetensors, saveSafetensors, type Runtime } from "../dist/index.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

const SEARCHES = ["indexOf", "lastIndexOf", "includes"] as const;
const WALKS = [
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "some",
  "every",
  "forEach",
  "map",
  "filter",
  "flatMap",
  "reduce",
] as const;

/** The array, Set and Map work that `run` does (see the file's comment). */
function work(run: () => void): number {
  let count = 0;
  const arrays = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const iterators = [[], new Set(), new Map()].map((x) => Object.getPrototypeOf(x[Symbol.iterator]()));
  const saved = new Map<object, [string, unknown][]>();
  const replace = (target: Record<string, unknown>, name: string, by: unknown) => {
    saved.set(target, [...(saved.get(target) ?? []), [name, target[name]]]);
    target[name] = by;
  };
  for (const name of SEARCHES) {
    const original = arrays[name];
    replace(arrays, name, function (this: unknown[], ...args: unknown[]) {
      count += this.length;
      return original.apply(this, args);
    });
  }
  for (const name of WALKS) {
    const original = arrays[name];
    replace(arrays, name, function (this: unknown[], callback: (...a: unknown[]) => unknown, ...rest: unknown[]) {
      const counted = function (this: unknown, ...a: unknown[]) {
        count++;
        return callback.apply(this, a);
      };
      return original.call(this, counted, ...rest);
    });
  }
  for (const prototype of iterators) {
    const next = prototype.next as () => unknown;
    replace(prototype, "next", function (this: unknown) {
      count++;
      return next.call(this);
    });
  }
  try {
    run();
  } finally {
    for (const [target, entries] of saved)
      for (const [name, value] of entries.reverse()) (target as Record<string, unknown>)[name] = value;
  }
  return count;
}

/** Adam over `n` named parameters of 2 elements, stepped once; and a twin to load into. */
function optimizers(n: number) {
  const make = () =>
    new Adam(Array.from({ length: n }, (_, i) => runtime.parameter(2, { name: `layer${i}.weight` }).setGrad([1, -1])));
  const opt = make();
  opt.step();
  return { opt, twin: make() };
}

test("stateDict, loadStateDict, saveSafetensors and loadSafetensors do work in proportion to the parameters", () => {
  const counts = [200, 2000].map((n) => {
    const { opt, twin } = optimizers(n);
    const dict = opt.stateDict();
    const bytes = saveSafetensors(opt);
    return {
      stateDict: work(() => opt.stateDict()),
      loadStateDict: work(() => twin.loadStateDict(dict)),
      saveSafetensors: work(() => saveSafetensors(opt)),
      loadSafetensors: work(() => loadSafetensors(twin, bytes)),
    };
  });
  for (const op of ["stateDict", "loadStateDict", "saveSafetensors", "loadSafetensors"] as const) {
    const [small, large] = counts.map((c) => c[op]);
    expect(small, op).toBeGreaterThan(200); // the counter sees the work at all
    expect(large / small, `${op}: ${small} at 200 parameters, ${large} at 2000`).toBeLessThan(12);
  }
});

test("ASGD's averaged() over every parameter does work in proportion to the parameters", () => {
  const counts = [200, 2000].map((n) => {
    const params = Array.from({ length: n }, () => runtime.parameter(2).setGrad([1, -1]));
    const opt = new ASGD(params);
    opt.step();
    return work(() => {
      for (const param of params) opt.averaged(param);
    });
  });
  expect(counts[1] / counts[0], `${counts[0]} at 200 parameters, ${counts[1]} at 2000`).toBeLessThan(12);
});

test("the counter sees a lookup by name in a loop as quadratic work", () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
  const quadratic = (list: string[]) => work(() => list.find((name, i) => list.indexOf(name) !== i));
  expect(quadratic(names(2000)) / quadratic(names(200))).toBeGreaterThan(50);
});
