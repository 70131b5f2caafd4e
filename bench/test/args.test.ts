import { describe, expect, it } from "vitest";

import {
  ArgsError,
  FULL_SIZES,
  parseArgs,
  parseSize,
  QUICK_OPTIMIZERS,
  QUICK_SIZE_LIMITS,
  QUICK_SIZES,
  TIMING,
} from "../src/args.js";
import { CASE_IDS } from "../src/cases.js";
import { IMPL_IDS } from "../src/impls/registry.js";

const ok = (argv: string[]) => {
  const r = parseArgs(argv, "/bench");
  if (r.help) throw new Error("unexpected --help");
  return r;
};

describe("parseArgs", () => {
  it("defaults to the quick profile", () => {
    const r = ok([]);
    expect(r.profile).toBe("quick");
    expect(r.optimizers).toEqual(QUICK_OPTIMIZERS);
    expect(r.sizes).toEqual([4096, 65536, 1048576, 16777216]);
    expect(r.sizes).toEqual(QUICK_SIZES);
    expect(r.impls).toEqual([...IMPL_IDS]);
    expect(r.impls).toEqual([
      "wasm-simd",
      "wasm-simd-threads",
      "wasm-simd-separate",
      "wasm-scalar",
      "native",
      "native-2t",
      "js",
      "tfjs-cpu",
      "tfjs-wasm",
    ]);
    expect(r.dtype).toBe("float32");
    expect(r.outDir).toBe("/bench/results");
    expect(r.jsonPath).toBe("/bench/results/latest.json");
    expect(r.timing).toEqual(TIMING.quick);
    expect(r.sizeLimits).toEqual(QUICK_SIZE_LIMITS);
    expect(r.sizeLimits["tfjs-cpu"].maxSize).toBe(1048576);
  });

  it("the quick profile skips tfjs-cpu above 1M only at its default sizes", () => {
    expect(ok(["--sizes", "16M"]).sizeLimits).toEqual({});
    expect(ok(["--full"]).sizeLimits).toEqual({});
    expect(ok(["--impls", "tfjs-cpu"]).sizeLimits).toEqual(QUICK_SIZE_LIMITS);
  });

  it("--full: all optimizers, more sizes and samples", () => {
    const r = ok(["--full"]);
    expect(r.profile).toBe("full");
    expect(r.optimizers).toEqual([...CASE_IDS]);
    expect(r.optimizers).toHaveLength(20);
    expect(r.sizes).toEqual(FULL_SIZES);
    expect(r.timing.minSamples).toBeGreaterThan(TIMING.quick.minSamples);
  });

  it("each flag, in both --flag value and --flag=value forms", () => {
    const r = ok([
      "--optimizers",
      "adam,sgd",
      "--sizes=65536,16M",
      "--impls",
      "wasm-simd,js",
      "--dtype",
      "float64",
      "--json",
      "x/r.json",
      "--out-dir=out",
    ]);
    expect(r.optimizers).toEqual(["adam", "sgd"]);
    expect(r.sizes).toEqual([65536, 16777216]);
    expect(r.impls).toEqual(["wasm-simd", "js"]);
    expect(r.dtype).toBe("float64");
    expect(r.jsonPath).toBe("x/r.json");
    expect(r.outDir).toBe("out");
  });

  it("--out-dir moves the default JSON too; flags combine with --full", () => {
    const r = ok(["--full", "--out-dir", "/tmp/o", "--optimizers", "rprop"]);
    expect(r.jsonPath).toBe("/tmp/o/latest.json");
    expect(r.optimizers).toEqual(["rprop"]);
    expect(r.sizes).toEqual(FULL_SIZES);
  });

  it("sizes: K/M suffixes, sorted, deduplicated", () => {
    expect(parseSize("4K")).toBe(4096);
    expect(parseSize("1m")).toBe(1048576);
    expect(parseSize("1000")).toBe(1000);
    expect(ok(["--sizes", "1M,4K,4096"]).sizes).toEqual([4096, 1048576]);
  });

  it("--help and -h", () => {
    expect(parseArgs(["--help"])).toEqual({ help: true });
    expect(parseArgs(["--sizes", "4K", "-h"])).toEqual({ help: true });
  });

  it.each([
    [["--bogus"], /unknown flag '--bogus'/],
    [["--optimizers", "adam,foo"], /--optimizers: unknown value 'foo'/],
    [["--impls", "wasm-gpu"], /--impls: unknown value 'wasm-gpu'/],
    [["--sizes", "12Q"], /--sizes: '12Q' is not a size/],
    [["--sizes", "0"], /--sizes: '0' must be at least 1/],
    [["--sizes", ","], /--sizes: empty list/],
    [["--dtype", "float16"], /--dtype: 'float16' is not float32 or float64/],
    [["--json"], /--json needs a value/],
    [["--sizes", "--full"], /--sizes needs a value/],
    [["--full=yes"], /--full takes no value/],
    [["--dtype", "float32", "--dtype", "float64"], /--dtype given more than once/],
    [["--json="], /--json: empty path/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(ArgsError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("many-tensor case", () => {
  it("runs in the profiles and not in narrowed runs, unless asked", () => {
    const parsed = (argv: string[]) => {
      const r = parseArgs(argv);
      if (r.help) throw new Error("help");
      return r.manyTensors;
    };
    expect(parsed([])).toBe(true);
    expect(parsed(["--full"])).toBe(true);
    expect(parsed(["--sizes", "1K"])).toBe(false);
    expect(parsed(["--impls", "js", "--many-tensors"])).toBe(true);
    expect(parsed(["--no-many-tensors"])).toBe(false);
    expect(() => parseArgs(["--many-tensors", "--no-many-tensors"])).toThrow(/contradict/);
  });
});
