// loadSafetensors reads the bytes of the view it is given, whatever buffer lies under it: a Node
// Buffer from fs.readFileSync or Buffer.from (small ones share a pool with other Buffers), a
// subarray at any offset. And each refusal of a tensor carries the optimizer's prefix. The tensors
// are read where they are in the file, not as views put into their entries, unless a load pre-hook
// is there to see the checkpoint: it sees them in their entries, and what it returns is loaded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { Adam, loadRuntime, loadSafetensors, saveSafetensors, type Runtime } from "../dist/index.js";
import { edited, fileOf, parseFile, signed } from "./safetensors-files.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

function trained() {
  const w = runtime.parameter(3, { name: "w" }).setGrad([1, -2, 3]);
  const b = runtime.parameter(Float64Array.of(1, 2), { name: "b" }).setGrad([0.5, -0.5]);
  const opt = new Adam([w, b]);
  opt.step();
  return opt;
}

const twin = () =>
  new Adam([runtime.parameter(3, { name: "w" }), runtime.parameter(2, { name: "b", dtype: "float64" })]);

test("a Buffer from Buffer.from, inside Node's shared pool, loads", () => {
  const opt = trained();
  const bytes = saveSafetensors(opt);
  // A Buffer that starts a new pool sits at offset 0; the next one of this size lands after it.
  let buffer = Buffer.from(bytes);
  while (buffer.byteOffset === 0) buffer = Buffer.from(bytes);
  expect(buffer.byteOffset).not.toBe(0);
  expect(buffer.buffer.byteLength).toBeGreaterThan(buffer.byteLength);
  const other = twin();
  loadSafetensors(other, buffer);
  expect(other.stateDict()).toEqual(opt.stateDict());
});

test("a file read with fs.readFileSync loads", () => {
  const dir = mkdtempSync(join(tmpdir(), "simdopt-"));
  try {
    const opt = trained();
    writeFileSync(join(dir, "adam.safetensors"), saveSafetensors(opt));
    const other = twin();
    loadSafetensors(other, readFileSync(join(dir, "adam.safetensors")));
    expect(other.stateDict()).toEqual(opt.stateDict());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a subarray at an odd offset of a larger buffer loads, and the bytes around it are not read", () => {
  const opt = trained();
  const bytes = saveSafetensors(opt);
  for (const offset of [1, 3, 8]) {
    const larger = new Uint8Array(offset + bytes.length + 5).fill(0xff);
    larger.set(bytes, offset);
    const other = twin();
    loadSafetensors(other, larger.subarray(offset, offset + bytes.length));
    expect(other.stateDict()).toEqual(opt.stateDict());
  }
});

test("a tensor of the wrong length is refused with the optimizer's prefix", () => {
  const opt = trained();
  const bytes = edited(saveSafetensors(opt), (header, data) => {
    // 'w' loses its last value: its tensors and the ones after them move down by 4 bytes.
    const names = Object.keys(header).filter((name) => name !== "__metadata__");
    const cut = header["state.w.exp_avg"].data_offsets[1] - 4;
    for (const name of names) {
      const [begin, end] = header[name].data_offsets;
      header[name].data_offsets = [begin > cut ? begin - 4 : begin, end > cut ? end - 4 : end];
    }
    header["state.w.exp_avg"].shape = [2];
    return Uint8Array.from([...data.subarray(0, cut), ...data.subarray(cut + 4)]);
  });
  expect(() => loadSafetensors(opt, bytes)).toThrow(
    "Adam: cannot load state: state['w'].exp_avg has 2 values, expected 3",
  );
});

test("a tensor's offsets that do not fit are refused naming what does not fit", () => {
  const opt = trained();
  const past = edited(saveSafetensors(opt), (header) => {
    header["state.w.exp_avg"].data_offsets = [0, 1 << 30];
    header["state.w.exp_avg"].shape = [1 << 28];
    return undefined;
  });
  expect(() => loadSafetensors(opt, past)).toThrow(
    /Adam: cannot load state: tensor 'state.w.exp_avg' ends at byte 1073741824, past the data's \d+ bytes/,
  );
  const gap = edited(saveSafetensors(opt), (header) => {
    header["state.w.exp_avg"].data_offsets = [4, 16];
    return undefined;
  });
  expect(() => loadSafetensors(opt, gap)).toThrow(
    "Adam: cannot load state: tensor 'state.w.exp_avg' starts at byte 4 of the data, where the tensor before it ends at 0",
  );
});

test("a header longer than safetensors allows is refused as such, before it is read", () => {
  const opt = trained();
  const file = new Uint8Array(8 + 100_000_008); // zeros: never decoded
  new DataView(file.buffer).setBigUint64(0, 100_000_001n, true);
  expect(() => loadSafetensors(opt, file)).toThrow(
    "Adam: cannot load state: the header length 100000001 is above the 100000000 bytes a safetensors header may have",
  );
});

/** A file of `bytes`' header with its tensors in the order `names` gives (their data moved with them), re-signed. */
function reordered(bytes: Uint8Array, names: (header: Record<string, any>) => string[]): Uint8Array {
  const { header, data } = parseFile(bytes);
  const order = names(header);
  const moved = new Uint8Array(data.length);
  const out: Record<string, any> = {};
  let offset = 0;
  for (const name of order) {
    const [begin, end] = header[name].data_offsets;
    moved.set(data.subarray(begin, end), offset);
    out[name] = { ...header[name], data_offsets: [offset, offset + end - begin] };
    offset += end - begin;
  }
  const kept = moved.subarray(0, offset);
  return fileOf(JSON.stringify({ __metadata__: signed(header.__metadata__, kept), ...out }), kept);
}

test("tensors in another order than the parameters', a parameter's apart, load the same", () => {
  const opt = trained();
  const bytes = reordered(saveSafetensors(opt), () => [
    "state.b.exp_avg_sq",
    "state.w.exp_avg",
    "state.b.exp_avg",
    "state.w.exp_avg_sq",
  ]);
  const other = twin();
  loadSafetensors(other, bytes);
  expect(other.stateDict()).toEqual(opt.stateDict());
});

test("a tensor named twice, apart from its first, is refused as a repeat", () => {
  const opt = trained();
  const { header, data } = parseFile(saveSafetensors(opt));
  const names = Object.keys(header).filter((name) => name !== "__metadata__");
  // w's exp_avg again after b's tensors, its bytes a copy of the first.
  const [begin, end] = header["state.w.exp_avg"].data_offsets;
  const more = Uint8Array.from([...data, ...data.subarray(begin, end)]);
  const entries = names.map((name) => `"${name}":${JSON.stringify(header[name])}`);
  entries.push(
    `"state.w.exp_avg":${JSON.stringify({ ...header["state.w.exp_avg"], data_offsets: [data.length, data.length + end - begin] })}`,
  );
  const json = `{"__metadata__":${JSON.stringify(signed(header.__metadata__, more))},${entries.join(",")}}`;
  expect(() => loadSafetensors(opt, fileOf(json, more))).toThrow(
    "Adam: cannot load state: the header names 'state.w.exp_avg' twice",
  );
});

test("a missing tensor, or one for a slot these options do not keep, is refused and nothing changes", () => {
  const opt = trained();
  const before = opt.stateDict();
  const missing = reordered(saveSafetensors(opt), (header) =>
    Object.keys(header).filter((name) => name !== "__metadata__" && name !== "state.b.exp_avg_sq"),
  );
  expect(() => loadSafetensors(opt, missing)).toThrow(
    "Adam: cannot load state: state['b'] has no 'exp_avg_sq' (a state after 1 steps needs it)",
  );
  const amsgrad = new Adam(
    [
      runtime.parameter(3, { name: "w" }).setGrad([1, -2, 3]),
      runtime.parameter(Float64Array.of(1, 2), { name: "b" }).setGrad([0.5, -0.5]),
    ],
    { amsgrad: true },
  );
  amsgrad.step();
  const kept = edited(saveSafetensors(amsgrad), (header) => {
    const params = JSON.parse(header.__metadata__.param_groups);
    params[0].amsgrad = false;
    header.__metadata__.param_groups = JSON.stringify(params);
    return undefined;
  });
  expect(() => loadSafetensors(opt, kept)).toThrow(
    "Adam: cannot load state: state['w'] has 'max_exp_avg_sq', which adam with these options does not keep for it (it keeps step, exp_avg, exp_avg_sq)",
  );
  expect(opt.stateDict()).toEqual(before);
});

test("a load pre-hook sees the file's tensors in their entries, and a checkpoint it returns is loaded", () => {
  const opt = trained();
  const bytes = saveSafetensors(opt);
  const other = twin();
  const seen: unknown[] = [];
  other.registerLoadStateDictPreHook((_, dict) => {
    seen.push(dict.state.w.exp_avg, dict.state.b.exp_avg_sq, Object.keys(dict.state.w));
    const state = { ...dict.state, w: { ...dict.state.w, exp_avg: new Float32Array([1, 2, 3]) } };
    return { ...dict, state };
  });
  loadSafetensors(other, bytes);
  const saved = opt.stateDict().state;
  expect(seen[0]).toBeInstanceOf(Float32Array);
  expect(Array.from(seen[0] as Float32Array)).toEqual((saved.w.exp_avg as { data: number[] }).data);
  expect(seen[1]).toBeInstanceOf(Float64Array);
  expect(Array.from(seen[1] as Float64Array)).toEqual((saved.b.exp_avg_sq as { data: number[] }).data);
  expect(seen[2]).toEqual(["step", "exp_avg", "exp_avg_sq"]);
  expect(other.state(other.paramGroups[0].params[0]).expAvg).toEqual(new Float32Array([1, 2, 3]));
});
