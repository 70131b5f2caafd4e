// The library's browser test: simdopt in a page (bundled as a user's app would bundle it), every
// optimizer on the SIMD and the scalar binary agreeing bit for bit with the plain-JS reference; on a
// plain page (plain memory) and a cross-origin isolated one (shared memory).
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { OPTIMIZER_NAMES } from "simdopt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchChromium } from "./chromium.js";
import { serveStatic } from "./static-server.js";

const root = fileURLToPath(new URL("../../dist/playground", import.meta.url));

interface CheckResult {
  done: boolean;
  optionSets: number;
  passed: number;
  failed: number;
  failures: string[];
  builds: string[];
  sharedMemory: boolean[];
  crossOriginIsolated: boolean;
  error?: string;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each([false, true])("simdopt in Chromium (cross-origin isolated: %s)", (isolated) => {
  test("reference ≡ scalar ≡ SIMD for every optimizer", async () => {
    const server = await serveStatic(root, isolated);
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/check.html`);
      await page.waitForFunction(() => (window as never as { check?: { done: boolean } }).check?.done, undefined, {
        timeout: 240_000,
      });
      const check = await page.evaluate(() => (window as never as { check: CheckResult }).check);
      expect(check.error).toBeUndefined();
      expect(check.failures).toEqual([]);
      // every optimizer's option sets × 2 dtypes × 5 lengths × 2 roundings × 2 binaries
      expect(check.optionSets).toBe(OPTIMIZER_NAMES.length + 4); // sgd has 3 sets, adam and rmsprop 2
      expect(check.passed).toBe(check.optionSets * 2 * 5 * 2 * 2);
      expect(check.crossOriginIsolated).toBe(isolated);
      expect(check.sharedMemory.every((shared) => shared === isolated)).toBe(true);
      const shared = isolated ? "-shared" : "";
      expect(check.builds).toEqual(
        expect.arrayContaining([`scalar${shared}-fused`, `scalar${shared}`, `simd${shared}`]),
      );
      expect(check.builds.some((b) => b.startsWith(`simd${shared}-`))).toBe(true); // fused or relaxed
      await page.close();
    } finally {
      await server.close();
    }
  });
});
