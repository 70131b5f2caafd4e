/**
 * Cases of low-bit optimizer state (golden/lowbit: torchao's and bitsandbytes' 8-bit state,
 * torchao's 4-bit and FP8 state, bfloat16 moments), which record after every step the parameters and the stored state, as
 * base64 arrays (`"f32:…"`, `"u8:…"`). They are judged by the folder's one-step rule: before step t
 * the parameters and every recorded state are set to what the reference had after step t − 1, then
 * one step is compared, parameters within 1e−5·max(1, |e|), stored codes (FP8's by the value
 * they decode to) and bfloat16 values exactly, absmax within 1e−6 relative, except the elements each step lists as lying on a rounding
 * boundary, which pass anywhere in their listed range.
 */
import { fromBfloat16, toBfloat16 } from "../reference/bfloat16.js";
import type { Optimizer } from "../optimizer.js";
import { Adam } from "../optimizers/adam.js";
import { AdamW } from "../optimizers/adamw.js";
import { BnbAdam8bit, BnbAdamW8bit } from "../presets/bnb.js";
import { OptaxAdam, OptaxAdamW } from "../presets/optax/adam.js";
import { BnbAdagrad8bit, BnbLion8bit, BnbRMSprop8bit, BnbSGD8bit } from "../presets/bnb-one-state.js";
import type { Parameter } from "../runtime/parameter.js";
import type { Runtime } from "../runtime/runtime.js";
import type { StateArray } from "../runtime/state-elements.js";
import type { CaseResult } from "./golden.js";
import { STATE_MAPS } from "../generated/maps.js";
import { codeAt, codeBytes, E4M3FN_VALUES, setCode } from "../reference/quantize.js";

/** [index, low, high]: an element whose value (or code) may be anything from low to high. */
type Boundary = [number, number, number];

interface RecordedState {
  map?: string;
  codes?: string[];
  absmax?: string[];
  values?: string[];
  boundary: Boundary[][];
}

export interface LowbitCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  dtype: string;
  steps: number;
  params: {
    init: string;
    grads: string[];
    expected: string[];
    expected_boundary: Boundary[][];
    shape?: number[];
    state: { storage: string; block_size?: number } & Record<string, RecordedState | string | number>;
  }[];
}

/** Whether a case is of the low-bit format: its arrays are base64 strings. */
export function isLowbitCase(c: Record<string, unknown>): boolean {
  const params = c.params;
  return Array.isArray(params) && typeof (params[0] as { init?: unknown } | undefined)?.init === "string";
}

/** Decodes `"f32:<base64>"` (little-endian float32) or `"u8:<base64>"`; throws on anything else. */
export function decodeArray(text: string, field: string): Float32Array | Uint8Array {
  const colon = typeof text === "string" ? text.indexOf(":") : -1;
  const tag = colon === -1 ? "" : text.slice(0, colon);
  if (tag !== "f32" && tag !== "u8") throw new Error(`field '${field}' must be "f32:<base64>" or "u8:<base64>"`);
  const bytes = Uint8Array.from(atob(text.slice(colon + 1)), (ch) => ch.charCodeAt(0));
  if (tag === "u8") return bytes;
  if (bytes.length % 4 !== 0) throw new Error(`field '${field}': ${bytes.length} bytes are not whole float32 values`);
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: bytes.length / 4 }, (_, k) => view.getFloat32(4 * k, true));
}

/** torchao's moments in simdopt's buffers, whatever their format. */
const TORCHAO_CODES = {
  exp_avg: ["expAvgCodes", "expAvgAbsmax"],
  exp_avg_sq: ["expAvgSqCodes", "expAvgSqAbsmax"],
} as const;

/** simdopt's state buffers for each state name of a case, per storage: [values or codes, absmax]. */
const STATE_NAMES: Record<string, Record<string, readonly [string, string?]>> = {
  bfloat16: { exp_avg: ["expAvg"], exp_avg_sq: ["expAvgSq"], max_exp_avg_sq: ["maxExpAvgSq"], mu: ["expAvg"] },
  blockwise8: {
    ...TORCHAO_CODES,
    state1: ["expAvgCodes", "expAvgAbsmax"],
    state2: ["expAvgSqCodes", "expAvgSqAbsmax"],
  },
  blockwise4: TORCHAO_CODES,
  fp8e4m3fn: TORCHAO_CODES,
};

type Options = Record<string, unknown>;

/** simdopt's options from a case's (as the reference spells them): the ones every family shares. */
function common(o: Options): Options {
  return {
    ...(o.lr === undefined ? {} : { lr: o.lr }),
    ...(o.betas === undefined ? {} : { betas: o.betas }),
    ...(o.eps === undefined ? {} : { eps: o.eps }),
    ...(o.weight_decay === undefined ? {} : { weightDecay: o.weight_decay }),
  };
}

/** optax's own spellings of its Adam options; simdopt's camelCase options from them. */
const OPTAX_NAMES: Record<string, string> = {
  learning_rate: "learningRate",
  b1: "b1",
  b2: "b2",
  eps: "eps",
  eps_root: "epsRoot",
  nesterov: "nesterov",
  mu_dtype: "muDtype",
  weight_decay: "weightDecay",
};
const OPTAX_ADAM = Object.keys(OPTAX_NAMES).filter((name) => name !== "weight_decay");

function optaxOptions(o: Options): Options {
  return Object.fromEntries(Object.entries(o).map(([name, value]) => [OPTAX_NAMES[name], value]));
}

/** bitsandbytes' one-state optimizers keep state1 in buffers of its own name (the bnb8bit kernel). */
const BNB_ONE_STATE = { blockwise8: { state1: ["state1Codes", "state1Absmax"] } } as const;

/**
 * The optimizers of the folder simdopt runs: the options each understands beside lr, betas, eps
 * and weight_decay, and where a state is kept under other names than STATE_NAMES's.
 */
const OPTIMIZERS: Record<
  string,
  {
    options: readonly string[];
    create(params: Parameter[], o: Options): Optimizer<object>;
    stateNames?: Record<string, Record<string, readonly [string, string?]>>;
  }
> = {
  // torchao's Adam8bit and AdamW8bit default weight_decay to 0 and 1e-2, as torch's Adam and AdamW.
  "torchao:adam": {
    options: ["state_dtype", "amsgrad"],
    create: (params, o) => new Adam(params, { ...common(o), amsgrad: o.amsgrad === true, state: "bfloat16" }),
  },
  "torchao:adamw": {
    options: ["state_dtype", "amsgrad"],
    create: (params, o) => new AdamW(params, { ...common(o), amsgrad: o.amsgrad === true, state: "bfloat16" }),
  },
  "torchao:adam8bit": {
    options: ["block_size"],
    create: (params, o) => new Adam(params, { ...common(o), ...blockSize(o), state: "8bit" }),
  },
  "torchao:adamw8bit": {
    options: ["block_size"],
    create: (params, o) => new AdamW(params, { ...common(o), ...blockSize(o), state: "8bit" }),
  },
  "torchao:adam4bit": {
    options: ["block_size"],
    create: (params, o) => new Adam(params, { ...common(o), ...blockSize(o), state: "4bit" }),
  },
  "torchao:adamw4bit": {
    options: ["block_size"],
    create: (params, o) => new AdamW(params, { ...common(o), ...blockSize(o), state: "4bit" }),
  },
  "torchao:adamfp8": {
    options: ["block_size"],
    create: (params, o) => new Adam(params, { ...common(o), ...blockSize(o), state: "fp8" }),
  },
  "torchao:adamwfp8": {
    options: ["block_size"],
    create: (params, o) => new AdamW(params, { ...common(o), ...blockSize(o), state: "fp8" }),
  },
  "bnb:adam8bit": {
    options: ["min_8bit_size"],
    create: (params, o) => new BnbAdam8bit(params, { ...common(o), ...min8bitSize(o) }),
  },
  "bnb:adamw8bit": {
    options: ["min_8bit_size"],
    create: (params, o) => new BnbAdamW8bit(params, { ...common(o), ...min8bitSize(o) }),
  },
  // optax's Adam and AdamW with mu_dtype bfloat16, options as optax spells them.
  "optax:adam": {
    options: OPTAX_ADAM,
    create: (params, o) => new OptaxAdam(params, optaxOptions(o)),
  },
  "optax:adamw": {
    options: [...OPTAX_ADAM, "weight_decay"],
    create: (params, o) => new OptaxAdamW(params, optaxOptions(o)),
  },
  "bnb:lion8bit": {
    options: ["min_8bit_size"],
    create: (params, o) => new BnbLion8bit(params, { ...common(o), ...min8bitSize(o) }),
    stateNames: BNB_ONE_STATE,
  },
  // bitsandbytes' SGD8bit ignores dampening and nesterov, and its RMSprop8bit momentum, without a
  // word; simdopt refuses them rather than ignore them, so its case runs without them.
  "bnb:sgd8bit": {
    options: ["min_8bit_size", "momentum", "dampening", "nesterov"],
    create: (params, o) => new BnbSGD8bit(params, { ...common(o), ...min8bitSize(o), momentum: o.momentum as number }),
    stateNames: BNB_ONE_STATE,
  },
  "bnb:rmsprop8bit": {
    options: ["min_8bit_size", "alpha", "momentum"],
    create: (params, o) =>
      new BnbRMSprop8bit(params, {
        ...common(o),
        ...min8bitSize(o),
        ...(o.alpha === undefined ? {} : { alpha: o.alpha as number }),
      }),
    stateNames: BNB_ONE_STATE,
  },
  "bnb:adagrad8bit": {
    options: ["min_8bit_size"],
    create: (params, o) => new BnbAdagrad8bit(params, { ...common(o), ...min8bitSize(o) }),
    stateNames: BNB_ONE_STATE,
  },
};

function blockSize(o: Options): Options {
  return o.block_size === undefined ? {} : { blockSize: o.block_size };
}

function min8bitSize(o: Options): Options {
  return o.min_8bit_size === undefined ? {} : { min8bitSize: o.min_8bit_size };
}

/** Whether simdopt runs this case (its optimizer, options and storage); what it would need otherwise. */
export function lowbitUnsupported(c: LowbitCase): string | undefined {
  const known = Object.hasOwn(OPTIMIZERS, c.optimizer) ? OPTIMIZERS[c.optimizer] : undefined;
  const names = new Set(["lr", "betas", "eps", "weight_decay", ...(known?.options ?? [])]);
  const supported =
    known !== undefined &&
    c.dtype === "float32" &&
    Object.keys(c.options).every((key) => names.has(key)) &&
    (!known.options.includes("state_dtype") || c.options.state_dtype === "bfloat16");
  return supported ? undefined : `${c.optimizer}${c.dtype === "float32" ? "" : ` (${c.dtype} parameters)`}`;
}

/** The optimizer a case asks for (the case is supported: see lowbitUnsupported). */
function createFor(c: LowbitCase, params: Parameter[]): Optimizer<object> {
  return OPTIMIZERS[c.optimizer].create(params, c.options);
}

/** Counts what a one-step run found: the largest parameter error outside the listed elements, and every mismatch. */
class Judge {
  maxError = 0;
  mismatches: string[] = [];

  parameters(actual: ArrayLike<number>, expected: Float32Array, boundary: Boundary[], where: string): void {
    const ranges = new Map(boundary.map(([i, low, high]) => [i, [low, high]]));
    for (let i = 0; i < expected.length; i++) {
      const a = actual[i];
      const range = ranges.get(i);
      if (range !== undefined) {
        const [low, high] = range;
        if (!(a >= low - 1e-5 * Math.max(1, Math.abs(low)) && a <= high + 1e-5 * Math.max(1, Math.abs(high))))
          this.mismatches.push(`${where}: parameter ${i} = ${a} outside its listed range [${low}, ${high}]`);
        continue;
      }
      const error = Math.abs(a - expected[i]) / Math.max(1, Math.abs(expected[i]));
      if (!(error <= 1e-5)) this.mismatches.push(`${where}: parameter ${i} = ${a}, expected ${expected[i]}`);
      this.maxError = Math.max(this.maxError, Number.isNaN(error) ? Infinity : error);
    }
  }

  /** Stored codes: exactly, or any code from the listed low to high. */
  codes(actual: Uint8Array, expected: Uint8Array, boundary: Boundary[], where: string): void {
    this.values(actual, expected, boundary, where);
  }

  /** Block maxima: within 1e−6 relative (a zero block exactly). */
  absmax(actual: Float32Array, expected: Float32Array, where: string): void {
    for (let b = 0; b < expected.length; b++) {
      if (!(Math.abs(actual[b] - expected[b]) <= 1e-6 * Math.abs(expected[b])))
        this.mismatches.push(`${where}: absmax ${b} = ${actual[b]}, expected ${expected[b]}`);
    }
  }

  /** Stored values (bfloat16 as their float32 values): exactly, or within the listed [low, high]. */
  values(actual: ArrayLike<number>, expected: ArrayLike<number>, boundary: Boundary[], where: string): void {
    const ranges = new Map(boundary.map(([i, low, high]) => [i, [low, high]]));
    for (let i = 0; i < expected.length; i++) {
      const range = ranges.get(i);
      const ok =
        range === undefined ? Object.is(actual[i], expected[i]) : actual[i] >= range[0] && actual[i] <= range[1];
      if (!ok) this.mismatches.push(`${where}: value ${i} = ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** Runs one low-bit case by the one-step rule (see the module comment). */
export function runLowbitCase(runtime: Runtime, c: LowbitCase): CaseResult {
  const judge = new Judge();
  const params: Parameter[] = [];
  let optimizer: Optimizer<object> | undefined;
  const result = (error?: string): CaseResult => ({
    name: c.name,
    passed: error === undefined && judge.mismatches.length === 0,
    maxError: judge.maxError,
    // Judged by the folder's one-step rule, which admits values on a rounding boundary: not counted as bit-exact.
    bitExact: false,
    tolerance: 1e-5,
    dtype: "float32",
    ...(error === undefined
      ? judge.mismatches.length === 0
        ? {}
        : { error: `${judge.mismatches.length} mismatches, first: ${judge.mismatches.slice(0, 3).join("; ")}` }
      : { error }),
  });
  try {
    for (const p of c.params) params.push(runtime.parameter(decodeArray(p.init, "init"), { shape: p.shape }));
    const unsupported = lowbitUnsupported(c);
    if (unsupported !== undefined) return result(`${unsupported} is not supported yet`);
    optimizer = createFor(c, params);
    for (let t = 1; t <= c.steps; t++) {
      c.params.forEach((p, i) => {
        if (t > 1) {
          params[i].data.set(decodeArray(p.expected[t - 2], "expected"));
          setRecordedState(optimizer as Optimizer<object>, params[i], p.state, c.optimizer, t - 2);
        }
        params[i].setGrad(decodeArray(p.grads[t - 1], "grads"));
      });
      optimizer.step();
      c.params.forEach((p, i) => {
        const where = `step ${t}, tensor ${i}`;
        judge.parameters(
          params[i].data,
          decodeArray(p.expected[t - 1], "expected") as Float32Array,
          p.expected_boundary[t - 1],
          where,
        );
        checkRecordedState(judge, optimizer as Optimizer<object>, params[i], p.state, c.optimizer, t - 1, where);
      });
    }
    return result();
  } catch (cause) {
    return result(String(cause));
  } finally {
    optimizer?.dispose();
    for (const p of params) p.dispose();
  }
}

/** The recorded states of a tensor: [case's name, simdopt's buffer names, record], none for float32 storage. */
function recordedStates(
  state: LowbitCase["params"][number]["state"],
  optimizer: string,
): [string, readonly [string, string?], RecordedState][] {
  if (state.storage === "float32") return [];
  const names = (OPTIMIZERS[optimizer].stateNames ?? STATE_NAMES)[state.storage];
  if (names === undefined) throw new Error(`storage ${state.storage} is not supported yet`);
  return Object.entries(state)
    .filter(([key]) => key !== "storage" && key !== "block_size")
    .map(([key, record]) => {
      if (!Object.hasOwn(names, key)) throw new Error(`state '${key}' of ${state.storage} storage is not known`);
      return [key, names[key], record as RecordedState];
    });
}

function stateOf(optimizer: Optimizer<object>, param: Parameter, name: string): StateArray {
  const view = optimizer.rawStateView(param, name);
  if (view === undefined) throw new Error(`the optimizer keeps no state '${name}' for this tensor`);
  return view;
}

function setRecordedState(
  optimizer: Optimizer<object>,
  param: Parameter,
  state: LowbitCase["params"][number]["state"],
  kind: string,
  entry: number,
): void {
  for (const [, [name, absmaxName], record] of recordedStates(state, kind)) {
    const stored = stateOf(optimizer, param, name);
    if (absmaxName === undefined) {
      stored.set(Array.from(decodeArray((record.values as string[])[entry], "values"), toBfloat16));
    } else {
      stored.set(storedCodes(decodeArray((record.codes as string[])[entry], "codes") as Uint8Array, state.storage));
      stateOf(optimizer, param, absmaxName).set(decodeArray((record.absmax as string[])[entry], "absmax"));
    }
  }
}

/** How simdopt keeps a storage's codes (4-bit codes two per byte, the others one per byte). */
function storedFormat(storage: string): "blockwise4" | "blockwise8" {
  return storage === "blockwise4" ? "blockwise4" : "blockwise8";
}

/** A case's codes (one per element) as simdopt keeps them. */
function storedCodes(codes: Uint8Array, storage: string): Uint8Array {
  const format = storedFormat(storage);
  const stored = new Uint8Array(codeBytes(format, codes.length));
  codes.forEach((code, i) => setCode(stored, i, format, code));
  return stored;
}

function checkRecordedState(
  judge: Judge,
  optimizer: Optimizer<object>,
  param: Parameter,
  state: LowbitCase["params"][number]["state"],
  kind: string,
  entry: number,
  where: string,
): void {
  for (const [key, [name, absmaxName], record] of recordedStates(state, kind)) {
    const stored = stateOf(optimizer, param, name);
    const at = `${where}, ${key}`;
    if (absmaxName === undefined) {
      const expected = decodeArray((record.values as string[])[entry], "values");
      judge.values(Array.from(stored, fromBfloat16), expected, record.boundary[entry], at);
    } else {
      const codes = decodeArray((record.codes as string[])[entry], "codes") as Uint8Array;
      const actual = Uint8Array.from(codes, (_, i) => codeAt(stored as Uint8Array, i, storedFormat(state.storage)));
      if (state.storage === "fp8e4m3fn") {
        // By the value a code stands for (−0 = +0), and listed ranges from the codes of their ends.
        const value = (code: number) => E4M3FN_VALUES[code] + 0;
        const ranges = record.boundary[entry].map(([i, low, high]): Boundary => [i, value(low), value(high)]);
        judge.values(Array.from(actual, value), Array.from(codes, value), ranges, at);
      } else {
        judge.codes(actual, codes, record.boundary[entry], at);
      }
      const absmax = decodeArray((record.absmax as string[])[entry], "absmax") as Float32Array;
      judge.absmax(stateOf(optimizer, param, absmaxName) as Float32Array, absmax, at);
    }
  }
}

/** What is wrong with a low-bit case (named by field), or undefined; decodes every array once to check it. */
export function lowbitCaseProblem(c: Record<string, unknown>): string | undefined {
  try {
    for (const field of ["name", "optimizer"])
      if (typeof c[field] !== "string" || c[field] === "") return `field '${field}' must be a non-empty string`;
    if (c.options === null || typeof c.options !== "object" || Array.isArray(c.options))
      return "field 'options' must be an object";
    if (c.dtype !== "float32" && c.dtype !== "bfloat16") return `field 'dtype' must be "float32" or "bfloat16"`;
    const steps = c.steps;
    if (!Number.isSafeInteger(steps) || (steps as number) <= 0) return "field 'steps' must be a whole number > 0";
    const params = c.params as unknown[];
    if (!Array.isArray(params) || params.length === 0) return "field 'params' must be a non-empty array of tensors";
    for (const [i, p] of params.entries()) {
      const at = `params[${i}]`;
      const t = p as Record<string, unknown>;
      const length = decodeArray(t.init as string, `${at}.init`).length;
      for (const field of ["grads", "expected"]) {
        const list = t[field];
        if (!Array.isArray(list) || list.length !== steps) return `field '${at}.${field}' must hold ${steps} arrays`;
        for (const [k, text] of list.entries())
          if (decodeArray(text, `${at}.${field}[${k}]`).length !== length)
            return `field '${at}.${field}[${k}]' must hold ${length} values`;
      }
      if (!boundaries(t.expected_boundary, steps as number))
        return `field '${at}.expected_boundary' must hold ${steps} lists of [index, low, high]`;
      const state = t.state as Record<string, unknown> | undefined;
      if (state === null || typeof state !== "object" || typeof state.storage !== "string")
        return `field '${at}.state' must be an object with a 'storage'`;
      for (const [key, record] of Object.entries(state)) {
        if (key === "storage" || key === "block_size") continue;
        const r = record as Record<string, unknown>;
        if (!boundaries(r?.boundary, steps as number))
          return `field '${at}.state.${key}.boundary' must hold ${steps} lists of [index, low, high]`;
        for (const field of ["codes", "absmax", "values"]) {
          if (r[field] === undefined) continue;
          if (!Array.isArray(r[field]) || (r[field] as unknown[]).length !== steps)
            return `field '${at}.state.${key}.${field}' must hold ${steps} arrays`;
          (r[field] as string[]).forEach((text, k) => decodeArray(text, `${at}.state.${key}.${field}[${k}]`));
        }
      }
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function boundaries(value: unknown, steps: number): boolean {
  return (
    Array.isArray(value) &&
    value.length === steps &&
    value.every(
      (list) =>
        Array.isArray(list) &&
        list.every(
          (triple) =>
            Array.isArray(triple) &&
            triple.length === 3 &&
            Number.isInteger(triple[0]) &&
            triple.every((x) => typeof x === "number"),
        ),
    )
  );
}

/** The format of the folder's file of quantization maps (not cases). */
export const MAPS_FORMAT = "optimizer-golden-maps/1";

/**
 * Which of simdopt's maps (assembly/maps.json, and the float8_e4m3fn values FP8 codes stand for)
 * differ from a maps file's, or are missing from it: [] when all agree. The file writes NaN as null.
 */
export function mapsDifferences(document: { maps?: Record<string, { values?: unknown }> }): string[] {
  const ours: [string, ArrayLike<number>][] = [...Object.entries(STATE_MAPS), ["float8_e4m3fn", E4M3FN_VALUES]];
  return ours
    .filter(([name, values]) => {
      const theirs = document.maps?.[name]?.values;
      const same = (x: number, k: number) => Object.is(x, (theirs as unknown[])[k] ?? Number.NaN);
      return !(Array.isArray(theirs) && theirs.length === values.length && Array.from(values).every(same));
    })
    .map(([name]) => name);
}

/**
 * The folder's informative check: all steps run without resetting anything to the recorded
 * values; the largest parameter error |a − e| / max(1, |e|) over every step (Infinity if the run
 * throws). A listed element that took its other code changes that element for the rest of the run,
 * so this is reported, never failed on.
 */
export function freeRunningError(runtime: Runtime, c: LowbitCase): number {
  if (lowbitUnsupported(c) !== undefined) return Number.NaN;
  const params: Parameter[] = [];
  let optimizer: Optimizer<object> | undefined;
  let largest = 0;
  try {
    for (const p of c.params) params.push(runtime.parameter(decodeArray(p.init, "init"), { shape: p.shape }));
    optimizer = createFor(c, params);
    for (let t = 0; t < c.steps; t++) {
      c.params.forEach((p, i) => params[i].setGrad(decodeArray(p.grads[t], "grads")));
      optimizer.step();
      c.params.forEach((p, i) => {
        const expected = decodeArray(p.expected[t], "expected");
        const actual = params[i].data;
        for (let k = 0; k < expected.length; k++) {
          const error = Math.abs(actual[k] - expected[k]) / Math.max(1, Math.abs(expected[k]));
          largest = Math.max(largest, Number.isNaN(error) ? Infinity : error);
        }
      });
    }
    return largest;
  } catch {
    return Infinity;
  } finally {
    optimizer?.dispose();
    for (const p of params) p.dispose();
  }
}
