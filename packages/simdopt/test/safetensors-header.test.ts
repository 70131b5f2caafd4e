// The safetensors header is written and read without JSON.stringify/JSON.parse of the whole: the
// bytes written must be the JSON they stand for (names that need escapes, non-ASCII names), and a
// header in any other JSON spelling of the same content must load the same (whitespace, field
// order, __metadata__ last, escapes, exponents, fields the format does not know), while text that
// is not such JSON is refused by position and nothing changes.
import { beforeAll, expect, test } from "vitest";
import { Adam, loadRuntime, loadSafetensors, saveSafetensors, type Runtime } from "../dist/index.js";
import { fileOf, parseFile } from "./safetensors-files.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime({ threads: 1 });
});

const NAMES = ['say "hi"', "back\\slash", "slash/in.name", "poids.é", "层.权重", "emoji 🙂", "plain.weight"];

function trained(names: readonly string[]) {
  const params = names.map((name, i) =>
    runtime.parameter(i + 1, { name }).setGrad(Array.from({ length: i + 1 }, (_, k) => k - 0.5)),
  );
  const opt = new Adam(params, { lr: 0.1 });
  opt.step();
  return opt;
}

function fresh(names: readonly string[]) {
  return new Adam(names.map((name, i) => runtime.parameter(i + 1, { name })));
}

test("the header written is the JSON of its names, escapes and non-ASCII included, and loads back", () => {
  const opt = trained(NAMES);
  const bytes = saveSafetensors(opt);
  const { header } = parseFile(bytes);
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  expect(length % 8).toBe(0);
  expect(Object.keys(header)).toEqual([
    "__metadata__",
    ...NAMES.flatMap((name) => ["exp_avg", "exp_avg_sq"].map((slot) => `state.${name}.${slot}`)),
  ]);
  let offset = 0;
  NAMES.forEach((name, i) => {
    for (const slot of ["exp_avg", "exp_avg_sq"]) {
      expect(header[`state.${name}.${slot}`]).toEqual({
        dtype: "F32",
        shape: [i + 1],
        data_offsets: [offset, offset + 4 * (i + 1)],
      });
      offset += 4 * (i + 1);
    }
  });
  const other = fresh(NAMES);
  loadSafetensors(other, bytes);
  expect(JSON.stringify(other.stateDict())).toBe(JSON.stringify(opt.stateDict()));
});

/** The file of `bytes` with its header spelled by `spell` from its parsed entries (same content, same data). */
function respelled(bytes: Uint8Array, spell: (entries: [string, any][]) => string): Uint8Array {
  const { header, data } = parseFile(bytes);
  const json = spell(Object.entries(header));
  return fileOf(json + " ".repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8), data);
}

test.each<[string, (entries: [string, any][]) => string]>([
  ["indented, with newlines and tabs", (entries) => JSON.stringify(Object.fromEntries(entries), null, "\t")],
  ["__metadata__ last", (entries) => JSON.stringify(Object.fromEntries([...entries.slice(1), entries[0]]))],
  [
    "fields in another order, with one the format does not know",
    (entries) =>
      JSON.stringify(
        Object.fromEntries(
          entries.map(([name, value]) =>
            name === "__metadata__"
              ? [name, value]
              : [
                  name,
                  {
                    data_offsets: value.data_offsets,
                    extra: { a: [1, -2.5e3, null, true, "x"] },
                    shape: value.shape,
                    dtype: value.dtype,
                  },
                ],
          ),
        ),
      ),
  ],
  [
    "every character of the names escaped",
    (entries) =>
      `{${entries
        .map(
          ([name, value]) =>
            `"${Array.from({ length: name.length }, (_, i) => `\\u${name.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")}":${JSON.stringify(value)}`,
        )
        .join(",")}}`,
  ],
  [
    "sizes and offsets written with exponents",
    (entries) =>
      JSON.stringify(Object.fromEntries(entries)).replace(
        /"data_offsets":\[(\d+),(\d+)\]/g,
        (_, a, b) => `"data_offsets":[${a}e0,${b}.0E+0]`,
      ),
  ],
])("a header %s loads as the one saved", (_label, spell) => {
  const opt = trained(NAMES);
  const other = fresh(NAMES);
  loadSafetensors(other, respelled(saveSafetensors(opt), spell));
  expect(JSON.stringify(other.stateDict())).toBe(JSON.stringify(opt.stateDict()));
});

test.each<[string, (json: string) => string, RegExp]>([
  [
    "text after the closing brace",
    (json) => `${json}x`,
    /expected the end of the header after its closing } at character \d+, found "x"/,
  ],
  ["a missing comma", (json) => json.replace('},"state.', '}"state.'), /expected ',' or '}' at character \d+/],
  [
    "a string that never ends",
    (json) => json.slice(0, json.lastIndexOf('"state.') + 4),
    /the string at character \d+ never ends/,
  ],
  [
    "a raw control character in a name",
    (json) => json.replace('"state.plain', '"state.\u0001plain'),
    /holds a control character/,
  ],
  [
    "a field given twice",
    (json) => json.replace('"dtype":"F32"', '"dtype":"F32","dtype":"F32"'),
    /gives 'dtype' twice/,
  ],
  ["a tensor without its shape", (json) => json.replace(/"shape":\[\d+\],/, ""), /has no shape/],
  [
    "a negative size",
    (json) => json.replace(/"shape":\[\d+\]/, '"shape":[-1]'),
    /has a shape that is not a list of sizes/,
  ],
  [
    "three data offsets",
    (json) => json.replace(/"data_offsets":\[(\d+),/, '"data_offsets":[$1,0,'),
    /data_offsets that are not two whole numbers/,
  ],
  [
    "a metadata value that is not a string",
    (json) => json.replace('"format":', '"other":7,"format":'),
    /__metadata__\.other is not a string/,
  ],
  [
    "__metadata__ twice",
    (json) => json.replace('{"__metadata__":', '{"__metadata__":{},"__metadata__":'),
    /gives __metadata__ twice/,
  ],
  ["a leading zero", (json) => json.replace(/"shape":\[(\d+)\]/, '"shape":[0$1]'), /expected ',' or ']'/],
])("a header with %s is refused and nothing changes", (_label, damage, message) => {
  const opt = trained(["a.weight", "plain.weight"]);
  const bytes = saveSafetensors(opt);
  const { header, data } = parseFile(bytes);
  const damaged = damage(JSON.stringify(header));
  expect(damaged).not.toBe(JSON.stringify(header));
  const target = trained(["a.weight", "plain.weight"]);
  const before = JSON.stringify(target.stateDict());
  expect(() => loadSafetensors(target, fileOf(damaged, data))).toThrow(message);
  expect(JSON.stringify(target.stateDict())).toBe(before);
});
