import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { parseArgs } from "../src/args.js";
import { main } from "../src/cli.js";
import { toMarkdown } from "../src/report/markdown.js";
import { runBench, type BenchResults } from "../src/run.js";

function sink() {
  let text = "";
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

describe("main (end to end, tiny)", () => {
  it("runs two implementations on one small size and writes JSON, markdown and SVG", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "simdopt-bench-"));
    const out = sink();
    const err = sink();
    const code = await main(
      [
        "--optimizers",
        "adam,rprop",
        "--sizes",
        "1K,2000",
        "--impls",
        "wasm-simd,js,tfjs-wasm",
        "--out-dir",
        dir,
        "--json",
        "r.json",
      ],
      { stdout: out, stderr: err, cwd: dir },
    );
    expect(err.text).not.toMatch(/bench: /);
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(dir, "r.json"), "utf8")) as BenchResults;
    expect(json.schema).toBe("simdopt-bench/1");
    expect(json.environment.cpuModel).toBeTruthy();
    expect(json.environment.threads).toBeGreaterThan(0);
    expect(json.versions.tinybench).toMatch(/^\d+\./);
    expect(json.impls["wasm-simd"].binary).toBe("simd");
    expect(json.cases.map((c) => c.id)).toEqual(["adam", "rprop"]);
    for (const c of json.cases) {
      expect(c.sizes.map((s) => s.size)).toEqual([1024, 2000]);
      for (const s of c.sizes) {
        expect(s.bandwidth.medianMs).toBeGreaterThan(0);
        expect(s.impls.map((r) => r.impl)).toEqual(["wasm-simd", "js", "tfjs-wasm"]);
        for (const r of s.impls) {
          if (c.id === "rprop" && r.impl === "tfjs-wasm") {
            expect(r.status).toBe("n/a");
            expect(r.reason).toMatch(/TF.js has no rprop/);
            continue;
          }
          expect(r.status).toBe("ok");
          expect(r.medianMs).toBeGreaterThan(0);
          expect(r.minMs).toBeLessThanOrEqual(r.medianMs!);
          expect(r.maxMs).toBeGreaterThanOrEqual(r.medianMs!);
          expect(r.pctBandwidth).toBeGreaterThan(0);
          expect(r.speedupVsJs).toBeGreaterThan(0);
        }
      }
    }
    const md = readFileSync(path.join(dir, "latest.md"), "utf8");
    expect(md).toContain("## adam");
    expect(md).toContain("| 1K   | wasm-simd");
    expect(md).toMatch(/speed only/);
    const svg = readFileSync(path.join(dir, "latest.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("wasm-simd");
    expect(svg).toContain("</svg>");
    expect(out.text).toContain("## rprop");
    expect(err.text).toMatch(/done in/);
  });

  it("a size limit skips an implementation above it, shown and explained in the report", async () => {
    const config = parseArgs(["--optimizers", "momentum", "--sizes", "512,2000", "--impls", "wasm-simd,js"], ".");
    if (config.help) throw new Error("unexpected --help");
    const err = sink();
    const results = await runBench(
      { ...config, sizeLimits: { js: { maxSize: 1000, reason: "skipped above 1000 here" } } },
      { progress: err },
    );
    const [small, large] = results.cases[0].sizes;
    expect(small.impls.map((r) => r.status)).toEqual(["ok", "ok"]);
    expect(large.impls.map((r) => [r.impl, r.status, r.reason])).toEqual([
      ["wasm-simd", "ok", undefined],
      ["js", "skipped", "skipped above 1000 here"],
    ]);
    expect(large.impls[0].speedupVsJs).toBeNull();
    expect(err.text).toContain("js skipped above 1000 here\n");
    const md = toMarkdown(results);
    expect(md).toMatch(/\| 2000 +\| js +\| +skipped \|/);
    expect(md).toContain("Skipped cells:\n\n- `js` at 2000: skipped above 1000 here.");
    expect(results.sizeLimits).toEqual({ js: { maxSize: 1000, reason: "skipped above 1000 here" } });
  });

  it("--help prints the flags; a bad flag exits 2 naming it", async () => {
    const out = sink();
    expect(await main(["--help"], { stdout: out, stderr: sink() })).toBe(0);
    for (const flag of ["--optimizers", "--sizes", "--impls", "--dtype", "--json", "--full"])
      expect(out.text).toContain(flag);
    const err = sink();
    expect(await main(["--sizes", "huge"], { stdout: sink(), stderr: err })).toBe(2);
    expect(err.text).toContain("--sizes: 'huge'");
  });

  it("an output path that cannot be written is refused before the run, naming its flag", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "simdopt-bench-"));
    const file = path.join(dir, "a-file");
    writeFileSync(file, "");
    const cases: [string[], string][] = [
      [["--json", path.join(file, "latest.json")], "--json: cannot write there"],
      [["--json", dir], "--json: cannot write there"],
      [["--out-dir", path.join(file, "out"), "--json", path.join(dir, "ok.json")], "--out-dir: cannot write there"],
    ];
    for (const [flags, message] of cases) {
      const err = sink();
      const code = await main(["--optimizers", "adam", "--sizes", "1K", "--impls", "js", ...flags], {
        stdout: sink(),
        stderr: err,
        cwd: dir,
      });
      expect(code, flags.join(" ")).toBe(2);
      expect(err.text).toContain(message);
      expect(err.text).not.toContain("simdopt bench ("); // refused before the run started
    }
  });

  it("a failing correctness gate aborts with exit code 1 and writes nothing", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "simdopt-bench-"));
    const registry = await import("../src/impls/registry.js");
    const js = registry.IMPLS.find((i) => i.id === "js")!;
    const original = js.setup;
    js.setup = async (c, data) => {
      const s = await original(c, data);
      return {
        ...s,
        read: () => {
          const a = s.read();
          a[3] += 0.5;
          return a;
        },
      };
    };
    try {
      const err = sink();
      const code = await main(["--optimizers", "sgd", "--sizes", "512", "--impls", "js", "--out-dir", dir], {
        stdout: sink(),
        stderr: err,
        cwd: dir,
      });
      expect(code).toBe(1);
      expect(err.text).toMatch(
        /correctness gate failed for js, optimizer sgd, size 512 float32, after 3 steps: index 3/,
      );
      expect(existsSync(path.join(dir, "latest.json"))).toBe(false);
    } finally {
      js.setup = original;
    }
  });
});
