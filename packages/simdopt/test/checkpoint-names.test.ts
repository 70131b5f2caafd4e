// Checkpoints map names that a user or a file chose to objects: a parameter named `__proto__`,
// `constructor` or `toString` is an ordinary name, a file or a state dict that names one never
// reaches a prototype, and a name that could not be loaded back is refused where it is given.
import { afterEach, beforeAll, expect, test } from "vitest";
import { Adam, createOptimizer, loadRuntime, loadSafetensors, saveSafetensors, type Runtime } from "../dist/index.js";
import { gradientsFor } from "./helpers.js";
import { edited, fileOf, parseFile, renamedTensor, signed } from "./safetensors-files.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
const SLOTS = ["step", "exp_avg", "exp_avg_sq", "params", "lr"];

/** Nothing reached Object.prototype: no new property, and no slot name readable on a fresh object. */
afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  for (const slot of SLOTS) expect(({} as Record<string, unknown>)[slot]).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});

const NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "a.b.exp_avg", "é ü 名前 😀"];

/** Adam over parameters with these names, stepped twice. */
function trained(names: readonly string[]) {
  const params = names.map((name, i) => runtime.parameter(3, { name }).set([i, -i, 0.5]));
  const opt = new Adam(params, { lr: 0.01 });
  for (let step = 0; step < 2; step++) {
    params.forEach((p, i) => p.setGrad(gradientsFor(3, step, i)));
    opt.step();
  }
  return { params, opt };
}

function fresh(names: readonly string[]) {
  return new Adam(
    names.map((name) => runtime.parameter(3, { name })),
    { lr: 0.5 },
  );
}

test("parameters named __proto__, constructor, toString... keep their state through stateDict and JSON", () => {
  const { opt } = trained(NAMES);
  const dict = opt.stateDict();
  expect(Object.keys(dict.state)).toEqual(NAMES);
  for (const name of NAMES) {
    expect(Object.hasOwn(dict.state, name)).toBe(true);
    expect(dict.state[name]).toMatchObject({ step: 2, exp_avg: { dtype: "float32" } });
  }
  const other = fresh(NAMES);
  other.loadStateDict(JSON.parse(JSON.stringify(dict)));
  expect(JSON.stringify(other.stateDict())).toBe(JSON.stringify(dict));
});

test("parameters named __proto__, constructor, toString... keep their state through safetensors", () => {
  const { opt } = trained(NAMES);
  const bytes = saveSafetensors(opt);
  expect(Object.keys(parseFile(bytes).header)).toContain("state.__proto__.exp_avg_sq");
  const other = fresh(NAMES);
  loadSafetensors(other, bytes);
  expect(JSON.stringify(other.stateDict())).toBe(JSON.stringify(opt.stateDict()));
});

test("a safetensors tensor named state.__proto__.<slot> (checksum recomputed) is refused", () => {
  const { opt } = trained(["w"]);
  const bytes = renamedTensor(saveSafetensors(opt), "state.w.exp_avg", "state.__proto__.exp_avg");
  const before = opt.stateDict();
  expect(() => loadSafetensors(opt, bytes)).toThrow(
    "Adam: cannot load state: tensor 'state.__proto__.exp_avg' is for parameter '__proto__', which __metadata__.state does not have",
  );
  expect(opt.stateDict()).toEqual(before);
});

test("a safetensors __metadata__.state keyed __proto__ is an ordinary key, refused as an unknown parameter", () => {
  const { opt } = trained(["w"]);
  const bytes = edited(renamedTensor(saveSafetensors(opt), "state.w.exp_avg", "state.__proto__.exp_avg"), (header) => {
    header.__metadata__.state = header.__metadata__.state.replace('{"w"', '{"__proto__":{"step":2},"w"');
    return undefined;
  });
  expect(() => loadSafetensors(opt, bytes)).toThrow(
    "Adam: cannot load state: 'state' has parameter '__proto__', which this optimizer does not have (it has 'w')",
  );
});

test("a safetensors tensor for the slot __proto__ is refused as a slot Adam does not keep", () => {
  const { opt } = trained(["w"]);
  const bytes = renamedTensor(saveSafetensors(opt), "state.w.exp_avg", "state.w.__proto__");
  expect(() => loadSafetensors(opt, bytes)).toThrow(
    "Adam: cannot load state: tensor 'state.w.__proto__' is for slot '__proto__', which adam does not keep (it keeps exp_avg, exp_avg_sq, max_exp_avg_sq)",
  );
});

test("a safetensors dtype 'constructor' or 'toString' is refused as a dtype", () => {
  const { opt } = trained(["w"]);
  for (const dtype of ["constructor", "toString", "__proto__"]) {
    const bytes = edited(saveSafetensors(opt), (header) => {
      header["state.w.exp_avg"].dtype = dtype;
      return undefined;
    });
    expect(() => loadSafetensors(opt, bytes)).toThrow(
      // Adam's checkpoints may hold low-bit state (low-bit-state.ts): bfloat16 words and 8-bit codes too.
      `Adam: cannot load state: tensor 'state.w.exp_avg' has dtype "${dtype}", expected F32, F64, BF16 or U8`,
    );
  }
});

test("a state dict from JSON with __proto__ keys is refused without reaching a prototype", () => {
  const { opt } = trained(["w"]);
  const json = JSON.stringify(opt.stateDict());
  const attempts = [
    json.replace('"state":{', '"state":{"__proto__":{"step":2,"exp_avg":{"dtype":"float32","data":[1,2,3]}},'),
    json.replace('"state":{', '"__proto__":{"lr":1},"state":{'),
    json.replace('"step":2', '"__proto__":{"step":5},"step":2'),
    json.replace('"params":["w"]', '"params":["w"],"__proto__":{"lr":2}'),
  ];
  const before = opt.stateDict();
  for (const text of attempts) {
    expect(text).not.toBe(json);
    expect(() => opt.loadStateDict(JSON.parse(text))).toThrow(/^Adam: cannot load state: .*'__proto__'/);
  }
  expect(opt.stateDict()).toEqual(before);
});

test("a state dict without an entry for a parameter named toString is refused as missing it", () => {
  const { opt } = trained(["toString", "w"]);
  const dict = JSON.parse(JSON.stringify(opt.stateDict()));
  delete dict.state.toString;
  expect(() => opt.loadStateDict(dict)).toThrow(
    "Adam: cannot load state: 'state' has no entry for parameter 'toString'",
  );
});

test.each([
  ["", /option 'name' must not be empty/],
  ["layer\nweight", /option 'name' "layer\\nweight" has the character U\+000A at index 5/],
  ["tab\there", /U\+0009 at index 3/],
  ["nul\u0000", /U\+0000 at index 3/],
  ["del\u007f", /U\+007F at index 3/],
  ["c1\u0085", /U\+0085 at index 2/],
  ["lone \ud800 surrogate", /U\+D800 at index 5/],
])("a parameter name %j that could not key a checkpoint is refused where it is given", (name, message) => {
  expect(() => runtime.parameter(3, { name })).toThrow(message);
});

test("a parameter name that is not a string is refused", () => {
  expect(() => runtime.parameter(3, { name: 7 as unknown as string })).toThrow(
    "simdopt: option 'name' must be a string, got 7",
  );
});

test("createOptimizer finds only registered optimizers, never a property of Object.prototype", () => {
  const params = [runtime.parameter(3)];
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    expect(() => createOptimizer(name as "adam", params)).toThrow(`simdopt: unknown optimizer '${name}'`);
  }
});

test("a hand-made file whose header repeats a tensor name is refused as a repeat", () => {
  const { opt } = trained(["w"]);
  const { header, data } = parseFile(saveSafetensors(opt));
  const text = JSON.stringify(header);
  const entry = `"state.w.exp_avg":${JSON.stringify(header["state.w.exp_avg"])}`;
  const repeated = text.replace(entry, `${entry},${entry}`);
  expect(repeated).not.toBe(text);
  const json = repeated.replace(JSON.stringify(header.__metadata__), JSON.stringify(signed(header.__metadata__, data)));
  expect(() => loadSafetensors(opt, fileOf(json, data))).toThrow(
    "Adam: cannot load state: the header names 'state.w.exp_avg' twice",
  );
});
