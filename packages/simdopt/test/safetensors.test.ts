// Safetensors checkpoints: the file's layout as the format defines it, a bit-exact continuation,
// and damaged or foreign files refused before anything changes.
import { beforeAll, expect, test } from "vitest";
import { Adam, AdamW, loadRuntime, loadSafetensors, NAdam, saveSafetensors, SGD, type Runtime } from "../dist/index.js";
import { firstDifference, gradientsFor, randomArray } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

function trained() {
  const w = runtime.parameter(randomArray(10, 1), { name: "layer.weight" });
  const b = runtime.parameter(Float64Array.from(randomArray(3, 2)), { name: "layer.bias" });
  const opt = new NAdam([w, b], { lr: 0.01 });
  for (let step = 0; step < 3; step++) {
    w.setGrad(gradientsFor(10, step, 1));
    b.setGrad(gradientsFor(3, step, 2));
    opt.step();
  }
  return { w, b, opt };
}

/** The header of a safetensors file, as the format defines it: u64 little-endian length, then JSON. */
function header(bytes: Uint8Array): Record<string, any> {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
}

test("the file holds each state buffer as a tensor and the rest in __metadata__", () => {
  const { w, opt } = trained();
  const bytes = saveSafetensors(opt);
  const h = header(bytes);
  expect(Object.keys(h).sort()).toEqual([
    "__metadata__",
    "state.layer.bias.exp_avg",
    "state.layer.bias.exp_avg_sq",
    "state.layer.weight.exp_avg",
    "state.layer.weight.exp_avg_sq",
  ]);
  expect(h["state.layer.weight.exp_avg"]).toEqual({ dtype: "F32", shape: [10], data_offsets: [0, 40] });
  expect(h["state.layer.bias.exp_avg"].dtype).toBe("F64");
  expect(h.__metadata__).toMatchObject({ format: "simdopt-state/1", kind: "nadam" });
  expect(h.__metadata__.checksum).toMatch(/^crc32:[0-9a-f]{8}$/);
  expect(JSON.parse(h.__metadata__.state)["layer.weight"]).toEqual({ step: 3, mu_product: expect.any(Number) });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  expect(headerLength % 8).toBe(0);
  const expAvg = new Float32Array(bytes.slice(8 + headerLength, 8 + headerLength + 40).buffer);
  const saved = opt.stateDict().state["layer.weight"].exp_avg as { data: number[] };
  expect(Array.from(expAvg)).toEqual(saved.data);
  expect(saved.data.length).toBe(w.length);
});

test("save, load and continue is bit-identical to never stopping", () => {
  const a = trained();
  const bytes = saveSafetensors(a.opt);
  const values = [a.w.toArray(), a.b.toArray()];
  const b = {
    w: runtime.parameter(values[0], { name: "layer.weight" }),
    b: runtime.parameter(values[1], { name: "layer.bias" }),
  };
  const opt = new NAdam([b.w, b.b], { lr: 0.5 }); // the options come from the file
  loadSafetensors(opt, bytes);
  for (let step = 3; step < 9; step++) {
    for (const run of [a, { ...b, opt }]) {
      run.w.setGrad(gradientsFor(10, step, 1));
      run.b.setGrad(gradientsFor(3, step, 2));
      run.opt.step();
    }
  }
  expect(firstDifference(b.w.data, a.w.data)).toBe(-1);
  expect(firstDifference(b.b.data, a.b.data)).toBe(-1);
  expect(opt.stateDict()).toEqual(a.opt.stateDict());
});

test("a state before the first step round-trips with no tensors", () => {
  const opt = new SGD([runtime.parameter(4)], { lr: 0.1, momentum: 0.9 });
  const other = new SGD([runtime.parameter(4)], { lr: 0.3, momentum: 0.9 });
  loadSafetensors(other, saveSafetensors(opt));
  expect(other.stateDict()).toEqual(opt.stateDict());
});

test.each([
  [
    "a flipped data byte",
    (bytes: Uint8Array) => {
      bytes[bytes.length - 1] ^= 1;
    },
    /the checksum is crc32:[0-9a-f]+ but the contents give crc32:[0-9a-f]+: the file is damaged/,
  ],
  [
    "a header length past the end",
    (bytes: Uint8Array) => {
      new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    },
    /the header length \d+ runs past the file's \d+ bytes/,
  ],
  [
    "a header that is not JSON",
    (bytes: Uint8Array) => {
      bytes[8] = 0x7b + 1;
    },
    /the header is not JSON/,
  ],
  ["too few bytes", (bytes: Uint8Array) => bytes.subarray(0, 5), /too short for a safetensors header/],
])("a file with %s is refused and nothing changes", (_label, damage, message) => {
  const { opt } = trained();
  const bytes = saveSafetensors(opt).slice();
  const damaged = damage(bytes) ?? bytes;
  const before = opt.stateDict();
  expect(() => loadSafetensors(opt, damaged)).toThrow(message);
  expect(opt.stateDict()).toEqual(before);
});

test("another optimizer's file is refused, naming both kinds", () => {
  const w = runtime.parameter(3).setGrad([1, 2, 3]);
  const adamw = new AdamW([w]);
  adamw.step();
  const adam = new Adam([runtime.parameter(3)]);
  const before = adam.stateDict();
  expect(() => loadSafetensors(adam, saveSafetensors(adamw))).toThrow(
    /Adam: cannot load state: it is the state of "adamw", this optimizer is 'adam'/,
  );
  expect(adam.stateDict()).toEqual(before);
});

test("-0, NaN and ±Inf keep their bits through JSON", () => {
  const w = runtime.parameter(4).setGrad([-0, NaN, Infinity, -Infinity]);
  const opt = new SGD([w], { lr: 0.1, momentum: 0.9 }); // the first momentum buffer is the gradient itself
  opt.step();
  const json = JSON.parse(JSON.stringify(opt.stateDict()));
  expect(json.state[0].momentum_buffer.data).toEqual(["-0", "NaN", "Infinity", "-Infinity"]);
  const again = new SGD([runtime.parameter(4)], { lr: 0.1, momentum: 0.9 });
  again.loadStateDict(json, { allowNonFinite: true });
  expect(again.stateDict()).toEqual(opt.stateDict());
  expect(Object.is((again.stateDict().state[0].momentum_buffer as { data: unknown[] }).data[0], "-0")).toBe(true);
});
