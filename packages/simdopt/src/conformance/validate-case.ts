/**
 * Strict checks of `optimizer-golden/1` files and cases, before anything runs: a malformed file or
 * case gives a message naming the field, so that a case can never pass vacuously (no steps, no
 * tensors) or crash the command.
 */
import { caseKind, GOLDEN_FORMAT, type CaseKind } from "./golden.js";
import { lowbitCaseProblem } from "./lowbit.js";

type Json = Record<string, unknown>;

/** What is wrong with a golden file's top level, or undefined. */
export function fileProblem(document: unknown): string | undefined {
  if (document === null || typeof document !== "object" || Array.isArray(document))
    return "the file is not a JSON object";
  const d = document as Json;
  if (d.format !== GOLDEN_FORMAT) return `field 'format' is ${JSON.stringify(d.format)}, expected "${GOLDEN_FORMAT}"`;
  if (!Array.isArray(d.cases)) return "field 'cases' must be an array of cases";
  if (d.cases.length === 0) return "field 'cases' is empty";
  return undefined;
}

/** A case's kind and what is wrong with it (`field 'steps' must be ...`), or no problem. */
export function caseProblem(c: unknown): {
  /** The case's kind, from its fields. */
  kind: CaseKind;
  /** What is wrong with it, if anything. */
  problem?: string;
} {
  if (c === null || typeof c !== "object" || Array.isArray(c))
    return { kind: "unknown", problem: `the case is ${c === null ? "null" : typeof c}, not an object` };
  const kind = caseKind(c as Json);
  const check = CHECKS[kind];
  try {
    check(c as Json);
    return { kind };
  } catch (error) {
    return { kind, problem: (error as Error).message };
  }
}

class Problem extends Error {}

function fail(message: string): never {
  throw new Problem(message);
}

const isNumber = (x: unknown): x is number => typeof x === "number";

function string(c: Json, field: string, optional = false): void {
  if (optional && c[field] === undefined) return;
  if (typeof c[field] !== "string" || c[field] === "")
    fail(`field '${field}' must be a non-empty string, got ${JSON.stringify(c[field])}`);
}

function object(c: Json, field: string): void {
  const value = c[field];
  if (value === null || typeof value !== "object" || Array.isArray(value))
    fail(`field '${field}' must be an object, got ${JSON.stringify(value)}`);
}

function positiveInteger(c: Json, field: string): number {
  const value = c[field];
  if (!Number.isSafeInteger(value) || (value as number) <= 0)
    fail(`field '${field}' must be a whole number > 0, got ${JSON.stringify(value)}`);
  return value as number;
}

function dtype(c: Json, optional = false): void {
  if (optional && c.dtype === undefined) return;
  if (c.dtype !== "float32" && c.dtype !== "float64")
    fail(`field 'dtype' must be "float32" or "float64", got ${JSON.stringify(c.dtype)}`);
}

/** An array of `length` numbers (any length when undefined, but at least one). */
function numbers(value: unknown, field: string, length?: number): number[] {
  if (!Array.isArray(value) || (length === undefined ? value.length === 0 : value.length !== length)) {
    fail(
      `field '${field}' must be an array of ${length ?? "one or more"} numbers, got ${Array.isArray(value) ? `${value.length} values` : JSON.stringify(value)}`,
    );
  }
  const bad = value.findIndex((x) => !isNumber(x));
  if (bad >= 0) fail(`field '${field}[${bad}]' must be a number, got ${JSON.stringify(value[bad])}`);
  return value as number[];
}

/** An array of `rows` arrays of numbers, each of `width` (or of the same length as the first). */
function matrix(value: unknown, field: string, rows: number | undefined, width?: number): number[][] {
  if (!Array.isArray(value) || (rows === undefined ? value.length === 0 : value.length !== rows)) {
    fail(
      `field '${field}' must be an array of ${rows ?? "one or more"} arrays, got ${Array.isArray(value) ? `${value.length}` : JSON.stringify(value)}`,
    );
  }
  return value.map((row, i) => numbers(row, `${field}[${i}]`, width));
}

/** A row-sparse gradient: a [rows, dim] table, and each step's row indices with dim values per index. */
function sparseGrads(t: Json, at: string, steps: number, length: number): void {
  const shape = numbers(t.shape, `${at}.shape`, 2);
  const [rows, dim] = shape;
  if (!shape.every((n) => Number.isInteger(n) && n >= 0) || rows * dim !== length)
    fail(
      `field '${at}.shape' must be [rows, dim] with rows·dim = ${length} (a sparse gradient needs a table), got ${JSON.stringify(t.shape)}`,
    );
  // One list per step, each of any length (an empty step has none).
  const lists = (value: unknown, field: string): number[][] => {
    if (!Array.isArray(value) || value.length !== steps)
      fail(`field '${field}' must be an array of ${steps} arrays (one per step)`);
    return value.map((list, s) => (Array.isArray(list) && list.length === 0 ? [] : numbers(list, `${field}[${s}]`)));
  };
  const indices = lists(t.grad_indices, `${at}.grad_indices`);
  indices.forEach((list, s) => {
    const bad = list.findIndex((row) => !(Number.isInteger(row) && row >= 0 && row < rows));
    if (bad !== -1) fail(`field '${at}.grad_indices[${s}][${bad}]' must be a row below ${rows}, got ${list[bad]}`);
  });
  const grads = lists(t.grads, `${at}.grads`);
  grads.forEach((values, s) => {
    if (values.length !== indices[s].length * dim)
      fail(
        `field '${at}.grads[${s}]' must hold ${indices[s].length} rows of ${dim} values, got ${values.length} values`,
      );
  });
}

const CHECKS: Record<CaseKind, (c: Json) => void> = {
  optimizer(c) {
    string(c, "name");
    string(c, "optimizer");
    object(c, "options");
    dtype(c);
    const steps = positiveInteger(c, "steps");
    if (
      c.tolerance !== undefined &&
      !(typeof c.tolerance === "number" && c.tolerance > 0 && Number.isFinite(c.tolerance))
    )
      fail(`field 'tolerance' must be a positive number, got ${JSON.stringify(c.tolerance)}`);
    let groups = 1;
    if (c.groups !== undefined) {
      if (!Array.isArray(c.groups) || c.groups.length === 0)
        fail("field 'groups' must be a non-empty array of objects");
      c.groups.forEach((group, g) => {
        if (group === null || typeof group !== "object" || Array.isArray(group))
          fail(`field 'groups[${g}]' must be an object`);
      });
      groups = c.groups.length;
    }
    if (!Array.isArray(c.params) || c.params.length === 0) fail("field 'params' must be a non-empty array of tensors");
    c.params.forEach((p: unknown, i: number) => {
      const at = `params[${i}]`;
      if (p === null || typeof p !== "object" || Array.isArray(p)) fail(`field '${at}' must be an object`);
      const t = p as Json;
      if (
        t.group !== undefined &&
        !(Number.isInteger(t.group) && (t.group as number) >= 0 && (t.group as number) < groups)
      ) {
        fail(`field '${at}.group' must be a group number below ${groups}, got ${JSON.stringify(t.group)}`);
      }
      const length = numbers(t.init, `${at}.init`).length;
      if (t.grad_indices === undefined) matrix(t.grads, `${at}.grads`, steps, length);
      else sparseGrads(t, at, steps, length);
      matrix(t.expected, `${at}.expected`, steps, length);
      if (t.expected_eval !== undefined) numbers(t.expected_eval, `${at}.expected_eval`, length);
    });
  },
  lowbit(c) {
    const problem = lowbitCaseProblem(c);
    if (problem !== undefined) fail(problem);
  },
  trajectory(c) {
    string(c, "name", true);
    string(c, "function");
    string(c, "optimizer");
    object(c, "options");
    dtype(c, true);
    numbers(c.start, "start", 2);
    const steps = positiveInteger(c, "steps");
    matrix(c.expected_path, "expected_path", steps + 1, 2);
  },
  clipping(c) {
    string(c, "name");
    if (c.kind !== "norm" && c.kind !== "value")
      fail(`field 'kind' must be "norm" or "value", got ${JSON.stringify(c.kind)}`);
    object(c, "options");
    const o = c.options as Json;
    const positive = (field: string) => {
      if (!isNumber(o[field]) || !Number.isFinite(o[field]) || (o[field] as number) <= 0) {
        fail(`field 'options.${field}' must be a positive number, got ${JSON.stringify(o[field])}`);
      }
    };
    if (c.kind === "norm") {
      positive("max_norm");
      const p = o.norm_type;
      if (p !== undefined && p !== "inf" && !(isNumber(p) && p > 0))
        fail(`field 'options.norm_type' must be a positive number or "inf", got ${JSON.stringify(p)}`);
      if (c.expected_total_norm !== undefined && !isNumber(c.expected_total_norm))
        fail("field 'expected_total_norm' must be a number");
    } else {
      positive("clip_value");
    }
    dtype(c);
    const grads = matrix(c.grads, "grads", undefined);
    if (!Array.isArray(c.expected) || c.expected.length !== grads.length)
      fail(`field 'expected' must hold ${grads.length} arrays, one per tensor of 'grads'`);
    grads.forEach((g, i) => numbers((c.expected as unknown[])[i], `expected[${i}]`, g.length));
  },
  lbfgs(c) {
    string(c, "name");
    string(c, "function");
    if (c.optimizer !== "lbfgs") fail(`field 'optimizer' must be "lbfgs", got ${JSON.stringify(c.optimizer)}`);
    object(c, "options");
    dtype(c);
    const length = numbers(c.start, "start").length;
    const steps = positiveInteger(c, "steps");
    matrix(c.expected_path, "expected_path", steps + 1, length);
    numbers(c.expected_evals, "expected_evals", steps);
    numbers(c.expected_iters, "expected_iters", steps);
    numbers(c.expected_loss, "expected_loss", steps);
    if (c.function_args !== undefined) {
      object(c, "function_args");
      const args = c.function_args as Json;
      const rows = matrix(args.A, "function_args.A", undefined, length);
      numbers(args.b, "function_args.b", rows.length);
    }
  },
  averaging(c) {
    string(c, "name");
    object(c, "options");
    const decay = (c.options as Json).decay;
    if (c.kind === "ema" && !(isNumber(decay) && decay >= 0 && decay <= 1))
      fail(`field 'options.decay' must be a number in [0, 1], got ${JSON.stringify(decay)}`);
    dtype(c);
    const steps = positiveInteger(c, "steps");
    if (!Array.isArray(c.params) || c.params.length === 0) fail("field 'params' must be a non-empty array of tensors");
    c.params.forEach((p: unknown, i: number) => {
      if (p === null || typeof p !== "object" || Array.isArray(p)) fail(`field 'params[${i}]' must be an object`);
      const t = p as Json;
      const length = numbers((t.sequence as unknown[] | undefined)?.[0], `params[${i}].sequence[0]`).length;
      matrix(t.sequence, `params[${i}].sequence`, steps, length);
      matrix(t.expected, `params[${i}].expected`, steps, length);
    });
  },
  schedule(c) {
    string(c, "name");
    string(c, "scheduler");
    object(c, "options");
    if (!isNumber(c.base_lr) || !(c.base_lr > 0))
      fail(`field 'base_lr' must be a positive number, got ${JSON.stringify(c.base_lr)}`);
    const steps = positiveInteger(c, "steps");
    numbers(c.expected_lr, "expected_lr", steps);
    if (c.metrics !== undefined) numbers(c.metrics, "metrics", steps);
  },
  unknown() {
    fail(
      "the case is of no known kind (an optimizer case has 'optimizer' and 'params'; a trajectory 'function' and 'expected_path'; a schedule 'scheduler'; a clipping case 'kind')",
    );
  },
};
