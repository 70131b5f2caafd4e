// simdopt bundled as a user's app bundles it, with Vite and with esbuild (code splitting), in a
// cross-origin isolated page in Chromium: the page's Web Worker runs simdopt on two threads (its
// worker thread bundled by the bundler), as Node runs the same code (float32 bit for bit); the page's main
// thread, which may not block, runs on one; and only one binary is fetched.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";
import type { Browser } from "playwright-core";
import { createOptimizer, loadRuntime } from "simdopt";
import { build as vite } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compute, type ComputeReport } from "./bundled/compute.js";
import { launchChromium } from "./chromium.js";
import { serveStatic } from "./static-server.js";

const fixture = fileURLToPath(new URL("./bundled/", import.meta.url));
const BINARIES = fileURLToPath(new URL("../../../simdopt/dist/generated/binaries/", import.meta.url));

interface Report extends ComputeReport {
  mainThreads: number;
  autoThreads: number;
  cores: number;
  error?: string;
}

/** Each binary's base64 text, as simdopt's generated modules embed it. */
const BINARY_TEXTS = new Map(
  readdirSync(BINARIES)
    .filter((file) => file.endsWith(".js"))
    .map((file) => [
      file.replace(/\.js$/, ""),
      /"([A-Za-z0-9+/=]{1000,})"/.exec(readFileSync(join(BINARIES, file), "utf8"))![1],
    ]),
);

/** The binaries a built file carries (none for a file that is not JavaScript or is missing). */
function binariesIn(file: string): string[] {
  if (!file.endsWith(".js") || !existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  return [...BINARY_TEXTS].filter(([, base64]) => text.includes(base64)).map(([name]) => name);
}

/**
 * The largest relative difference between two float64 arrays given as their 32-bit words. Float64
 * results may differ in the last bit between engines: the per-step scalars use `**`, and V8's
 * Math.pow in Chromium 156 and in Node 20 differ in the last bit for some powers (0.9 ** 4).
 */
function largestRelative(aWords: number[], bWords: number[]): number {
  const [a, b] = [aWords, bWords].map((words) => new Float64Array(Uint32Array.from(words).buffer));
  expect(a.length).toBe(b.length);
  return a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i]) / Math.max(1, Math.abs(b[i]))), 0);
}

/** Builds the page into `outdir`. */
type Bundler = (outdir: string) => Promise<void>;

const BUNDLERS: Record<string, Bundler> = {
  // Vite's defaults but one: the page's own worker imports simdopt, which imports its binary on
  // demand, and Vite's default worker format (iife) cannot split. simdopt's worker imports no binary.
  vite: async (outdir) => {
    await vite({
      configFile: false,
      root: fixture,
      base: "./",
      logLevel: "warn",
      build: { outDir: outdir, emptyOutDir: true, target: "es2022" },
      worker: { format: "es" },
    });
  },
  // esbuild does not follow `new URL(..., import.meta.url)`: each worker is an entry point, simdopt's
  // as `worker` (simdopt/worker) beside the chunks that start it.
  esbuild: async (outdir) => {
    await esbuild({
      absWorkingDir: fixture,
      entryPoints: { main: "main.js", "app-worker": "app-worker.js", worker: "simdopt/worker" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      outdir,
      logLevel: "warning",
    });
    copyFileSync(join(fixture, "index.html"), join(outdir, "index.html"));
  },
};

let browser: Browser;
let expected: ComputeReport;
beforeAll(async () => {
  browser = await launchChromium();
  expected = await compute({ loadRuntime, createOptimizer });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(Object.keys(BUNDLERS))("a page bundled by %s", (bundler) => {
  test("runs two threads in a Web Worker, as Node does (float32 bit for bit), fetching one binary", async () => {
    const outdir = mkdtempSync(join(tmpdir(), `simdopt-${bundler}-`));
    try {
      await BUNDLERS[bundler](outdir);
      const server = await serveStatic(outdir, true);
      const context = await browser.newContext();
      const fetched: string[] = [];
      context.on("request", (request) => fetched.push(new URL(request.url()).pathname));
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(String(error)));
        await page.goto(`${server.url}/index.html`);
        await page.waitForFunction(() => (window as never as { report?: Report }).report, undefined, {
          timeout: 60_000,
        });
        const report = await page.evaluate(() => (window as never as { report: Report }).report);
        expect(errors).toEqual([]);
        expect(report.error).toBeUndefined();
        expect(report.threads).toBe(2);
        expect(report.splitCalls).toBeGreaterThan(0); // the worker thread took part
        expect(report.build).toMatch(/^simd-shared/);
        expect(report.mainThreads).toBe(1); // `auto` on a main thread, which may not block
        expect(report.autoThreads).toBe(Math.min(report.cores, 64)); // `auto` in a worker: every core, started
        expect(Object.keys(report.results)).toEqual(Object.keys(expected.results));
        for (const [name, bits] of Object.entries(expected.results)) {
          if (name.endsWith("float32")) expect(report.results[name], name).toEqual(bits);
          else expect(largestRelative(report.results[name], bits), name).toBeLessThan(1e-14);
        }
        // One binary, whatever the number of bundles that carry it (Vite bundles each worker apart).
        const binaries = new Set(fetched.flatMap((path) => binariesIn(join(outdir, path))));
        expect([...binaries]).toEqual([report.build]);
      } finally {
        await context.close();
        await server.close();
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 180_000);
});
