import { describe, expect, it } from "vitest";

import { TIMING } from "../src/args.js";
import type { Stepper } from "../src/impls/types.js";
import { pairBatches, pairedRatio, pairSizes, quantile, STEPS_PER_BATCH, switchedPair } from "../src/paired.js";

/** Steppers on a fake clock: each step advances it by the stepper's own cost; `order` logs the steps. */
function clockedSteppers(costs: () => [number, number]) {
  let clock = 0;
  const order: string[] = [];
  const make = (index: 0 | 1, name: string): Stepper => ({
    step: () => {
      clock += costs()[index];
      order.push(name);
    },
    read: () => new Float32Array(0),
    dispose: () => {},
  });
  return { one: make(0, "one"), threads: make(1, "threads"), now: () => clock, order };
}

describe("two threads against one, in pairs", () => {
  const timing = TIMING.quick;

  it("is the median of the pairs' ratios, in batches of at least minSampleMs", async () => {
    const s = clockedSteppers(() => [2, 1]);
    const r = await pairedRatio(s.one, s.threads, timing, 0.001, s.now);
    expect(r.ratio).toBe(2);
    expect(r.batch).toBe(Math.max(STEPS_PER_BATCH, Math.ceil(timing.minSampleMs / 0.001)));
    expect(r.pairs).toBeGreaterThanOrEqual(5);
    expect(r.pairs).toBeLessThanOrEqual(31);
  });

  it("alternates which of the two goes first, and a drift that slows both cancels out", async () => {
    let t = 0;
    const s = clockedSteppers(() => {
      t++;
      const slow = 1 + t / 1000; // the machine slows down steadily
      return [3 * slow, 2 * slow];
    });
    const r = await pairedRatio(s.one, s.threads, timing, 50, s.now);
    expect(r.batch).toBe(STEPS_PER_BATCH);
    expect(r.ratio).toBeCloseTo(1.5, 1);
    // after the warm-up's two batches, pairs in the order one-threads, then threads-one (each
    // batch an untimed step and the timed ones)
    const batches = s.order.filter((_, i) => i % (STEPS_PER_BATCH + 1) === 0);
    expect(batches.slice(2, 10)).toEqual(["one", "threads", "threads", "one", "one", "threads", "threads", "one"]);
  });

  it("leaves the first step after a switch untimed", async () => {
    // The threaded stepper's first step after the other's batch costs 10 (workers waking), then 1.
    let last = "";
    let clock = 0;
    const make = (name: string, cost: number): Stepper => ({
      step: () => {
        clock += name === "threads" && last !== "threads" ? 10 : cost;
        last = name;
      },
      read: () => new Float32Array(0),
      dispose: () => {},
    });
    const r = await pairedRatio(make("one", 2), make("threads", 1), timing, 0.001, () => clock);
    expect(r.ratio).toBe(2);
  });

  it("switches one threaded stepper to one thread and back, before every step", () => {
    const log: string[] = [];
    const stepper = { step: () => log.push("step"), oneThread: (on: boolean) => log.push(on ? "one" : "threads") };
    const [one, threads] = switchedPair(stepper);
    one.step();
    threads.step();
    threads.step();
    expect(log).toEqual(["one", "step", "threads", "step", "threads", "step"]);
  });
});

describe("pairs of batches timed on either side", () => {
  it("give the median and the spread of first's time over second's, awaiting a side timed elsewhere", async () => {
    // The first side's batches take 10, 20, 30, ... (timed elsewhere, answered later); the second's 10.
    let firstCalls = 0;
    const first = async (steps: number) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return 10 * ++firstCalls * (steps / 8);
    };
    const order: string[] = [];
    const r = await pairBatches(
      (steps) => {
        order.push("first");
        return first(steps);
      },
      (steps) => {
        order.push("second");
        return 10 * (steps / 8);
      },
      8,
      5,
    );
    // warm-up (first 10), then first's 20, 30, 40, 50, 60 over 10
    expect(order).toEqual([
      "first",
      "second",
      "first",
      "second",
      "second",
      "first",
      "first",
      "second",
      "second",
      "first",
      "first",
      "second",
    ]);
    expect([r.min, r.q1, r.ratio, r.q3, r.max]).toEqual([2, 3, 4, 5, 6]);
    expect([r.pairs, r.batch]).toEqual([5, 8]);
  });

  it("interpolate quantiles between neighbours", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([7], 0.75)).toBe(7);
  });

  it("size batches to minSampleMs and at least STEPS_PER_BATCH steps, and pairs to about timeMs", () => {
    const t = { ...TIMING.quick, minSampleMs: 0.05, timeMs: 200 };
    expect(pairSizes(t, 0.001)).toEqual({ batch: 50, pairs: 31 });
    expect(pairSizes(t, 2)).toEqual({ batch: STEPS_PER_BATCH, pairs: 6 });
    expect(pairSizes(t, 100)).toEqual({ batch: STEPS_PER_BATCH, pairs: 5 });
  });
});
