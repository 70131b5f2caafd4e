// The package's exported tables (registries, defaults, tolerances, names) are shared by every caller:
// trying to change any of them, at any depth, changes nothing (`TOLERANCE.float32 = 1` must not make
// every conformance case pass, nor `adamDefaults.betas[0] = 0` change every later Adam).
import { expect, test } from "vitest";
import * as simdopt from "../dist/index.js";

/** Every object reachable from `root` through own properties (functions are not tables: not entered). */
function reachable(root: object): object[] {
  const seen = new Set<object>();
  const visit = (value: unknown) => {
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) visit(descriptor.value);
    }
  };
  visit(root);
  return [...seen];
}

/** Tries to change `target` every way a careless or hostile caller would; the errors are expected. */
function tryToChange(target: object): void {
  const record = target as Record<PropertyKey, unknown>;
  const attempts: (() => void)[] = [
    () => {
      record.added = 1;
    },
    () => Object.setPrototypeOf(target, { injected: true }),
    () => Object.defineProperty(target, "defined", { value: 1 }),
    ...Reflect.ownKeys(target).flatMap((key) => [
      () => {
        record[key] = "changed";
      },
      () => {
        delete record[key];
      },
    ]),
  ];
  if (Array.isArray(target))
    attempts.push(
      () => target.push(0),
      () => target.sort(),
      () => target.splice(0, 1),
    );
  for (const attempt of attempts) {
    try {
      attempt();
    } catch {
      // frozen: refused, as it should be
    }
  }
}

/** What an object holds, to compare before and after: its prototype and own property values. */
function snapshot(target: object): unknown[] {
  return [
    Object.getPrototypeOf(target),
    ...Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)?.value]),
  ];
}

const tables = Object.entries(simdopt).filter(([, value]) => value !== null && typeof value === "object");

test("the package exports tables to check", () => {
  const names = tables.map(([name]) => name);
  for (const name of ["OPTIMIZERS", "OPTIMIZER_NAMES", "TOLERANCE", "NON_FINITE_MODES", "ROUNDINGS", "adamDefaults"]) {
    expect(names).toContain(name);
  }
});

test.each(tables)("%s and everything in it stay unchanged when changed", (_, table) => {
  const objects = reachable(table as object);
  const before = objects.map(snapshot);
  for (const target of objects) tryToChange(target);
  objects.forEach((target, i) => expect(snapshot(target)).toEqual(before[i]));
  for (const target of objects) expect(Object.isFrozen(target)).toBe(true);
});

test("a changed tolerance or default cannot change later results", () => {
  try {
    (simdopt.TOLERANCE as { float32: number }).float32 = 1;
  } catch {
    // frozen
  }
  expect(simdopt.TOLERANCE.float32).toBe(1e-5);
  try {
    (simdopt.adamDefaults.betas as number[])[0] = 0;
  } catch {
    // frozen
  }
  expect(simdopt.adamDefaults.betas).toEqual([0.9, 0.999]);
});
