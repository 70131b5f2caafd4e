// A scheduler's snapshot holds only states that the scheduler can be in: learning rates >= 0,
// counters within what its options allow (ReduceLROnPlateau's bad epochs and cooldown), epochs
// that one more step counts exactly and that OneCycleLR's cycle reaches, periods that
// CosineAnnealingWarmRestarts makes; fields are own properties, and a number is a number (never
// a name that a prototype has). Anything else is refused and changes nothing.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  CosineAnnealingWarmRestarts,
  loadRuntime,
  OneCycleLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type Runtime,
} from "../dist/index.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

describe("scheduler states", () => {
  const sgd = () => new SGD([runtime.parameter(2)], { lr: 0.1, momentum: 0.9 });

  test.each([
    ["NaN", /field 'best' must be a number or ±Infinity, got NaN/],
    [Number.NaN, /field 'best' must be a number/],
  ])("ReduceLROnPlateau refuses best %j", (best, message) => {
    const scheduler = new ReduceLROnPlateau(sgd(), {});
    const saved = scheduler.stateDict();
    expect(() => scheduler.loadStateDict({ ...saved, best })).toThrow(message);
    expect(scheduler.stateDict()).toEqual(saved);
  });

  test("ReduceLROnPlateau refuses counters outside [0, patience] and [0, cooldown]", () => {
    const scheduler = new ReduceLROnPlateau(sgd(), { patience: 3, cooldown: 2 });
    const saved = scheduler.stateDict();
    const refused = (fields: object, message: string) =>
      expect(() => scheduler.loadStateDict({ ...saved, ...fields })).toThrow(
        `ReduceLROnPlateau: cannot load state: ${message}`,
      );
    refused({ numBadEpochs: -1 }, "field 'numBadEpochs' must be an integer from 0 to 3, got -1");
    refused({ numBadEpochs: 4 }, "field 'numBadEpochs' must be an integer from 0 to 3, got 4");
    refused({ cooldownCounter: 3 }, "field 'cooldownCounter' must be an integer from 0 to 2, got 3");
    refused(
      { lastEpoch: 2 ** 53 },
      "field 'lastEpoch' must be an integer >= 0 and below 2^53 - 1, got 9007199254740992",
    );
    refused({ lastLr: [-0.1] }, "field 'lastLr' must hold numbers >= 0, got -0.1 at 0");
    scheduler.loadStateDict({ ...saved, numBadEpochs: 3, cooldownCounter: 2 });
  });

  test("OneCycleLR refuses a lastEpoch past the end of its cycle", () => {
    const scheduler = new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10 });
    const saved = scheduler.stateDict();
    expect(() => scheduler.loadStateDict({ ...saved, lastEpoch: 11 })).toThrow(
      "OneCycleLR: cannot load state: field 'lastEpoch' must be an integer from -1 to 10, got 11",
    );
    scheduler.loadStateDict({ ...saved, lastEpoch: 10 }); // the step after the last one of the cycle
    expect(scheduler.stateDict()).toMatchObject({ lastEpoch: 10 });
  });

  test("StepLR refuses a lastEpoch that one more step would not count exactly, and negative rates", () => {
    const scheduler = new StepLR(sgd(), { stepSize: 2 });
    const saved = scheduler.stateDict();
    expect(() => scheduler.loadStateDict({ ...saved, lastEpoch: Number.MAX_SAFE_INTEGER })).toThrow(
      "StepLR: cannot load state: field 'lastEpoch' must be an integer >= -1 and below 2^53 - 1, got 9007199254740991",
    );
    expect(() => scheduler.loadStateDict({ ...saved, baseLrs: [-1] })).toThrow(
      "StepLR: cannot load state: field 'baseLrs' must hold numbers >= 0, got -1 at 0",
    );
    expect(scheduler.stateDict()).toEqual(saved);
  });

  test("CosineAnnealingWarmRestarts refuses a period that is not t0·tMult^k and epochs outside it", () => {
    const scheduler = new CosineAnnealingWarmRestarts(sgd(), { t0: 3, tMult: 2 });
    for (let i = 0; i < 5; i++) scheduler.step();
    const saved = scheduler.stateDict();
    const refused = (fields: object, message: string) =>
      expect(() => scheduler.loadStateDict({ ...saved, ...fields })).toThrow(
        `CosineAnnealingWarmRestarts: cannot load state: ${message}`,
      );
    refused({ tI: 2 }, "field 'tI' must be an integer >= 3 and below 2^53 - 1, got 2");
    refused({ tI: 9 }, "field 'tI' must be t0 3 times a power of tMult 2, got 9");
    refused({ tI: 12, tCur: -1 }, "field 'tCur' must be from 0 to tI 12, got -1");
    refused({ tI: 6, tCur: 6.5 }, "field 'tCur' must be from 0 to tI 6, got 6.5");
    scheduler.loadStateDict({ ...saved, tI: 12, tCur: 11.5 });
    expect(scheduler.stateDict()).toMatchObject({ tI: 12, tCur: 11.5 });
    scheduler.loadStateDict({ ...saved, tI: 6, tCur: -8.881784197001252e-16 }); // step(epoch)'s rounding at a restart
  });
});

test("a scheduler state whose number is 'toString' or 'constructor' is refused", () => {
  const opt = new Adam([runtime.parameter(3)]);
  const scheduler = new ReduceLROnPlateau(opt, {});
  const saved = scheduler.stateDict();
  for (const best of ["toString", "constructor", "__proto__"]) {
    expect(() => scheduler.loadStateDict({ ...saved, best })).toThrow(
      `ReduceLROnPlateau: cannot load state: field 'best' must be a number (or "Infinity", "-Infinity", "NaN"), got "${best}"`,
    );
  }
  const withProto = JSON.parse(JSON.stringify(saved).replace('"best"', '"__proto__":{"best":1},"best"'));
  expect(() => scheduler.loadStateDict(withProto)).toThrow(
    "ReduceLROnPlateau: cannot load state: unknown field '__proto__'",
  );
  expect(scheduler.stateDict()).toEqual(saved);
});
