// The playground page in headless Chromium: it loads, runs simdopt's Wasm, redraws when a slider
// moves or the plot is clicked, and a screenshot is taken; on a plain and on an isolated page.
import { mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchChromium } from "./chromium.js";
import { serveStatic, type StaticServer } from "./static-server.js";

const root = fileURLToPath(new URL("../../dist/playground", import.meta.url));
const screenshots = fileURLToPath(new URL("../../test-output", import.meta.url));

type Paths = { label: string; points: [number, number][] }[];

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(server: StaticServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(
    () =>
      (window as never as { playground?: { ready: boolean; error?: string } }).playground?.ready ||
      (window as never as { playground?: { error?: string } }).playground?.error !== undefined,
    undefined,
    { timeout: 240_000 },
  );
  expect(errors).toEqual([]);
  expect(
    await page.evaluate(() => (window as never as { playground: { error?: string } }).playground.error),
  ).toBeUndefined();
  return page;
}

const paths = (page: Page) =>
  page.evaluate(() => (window as never as { playground: { paths: Paths } }).playground.paths);

describe.each([false, true])("playground (cross-origin isolated: %s)", (isolated) => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveStatic(root, isolated);
  });
  afterAll(async () => {
    await server?.close();
  });

  test("loads, runs the Wasm kernels, redraws on a slider and a click, and a screenshot is taken", async () => {
    const page = await open(server);
    const state = await page.evaluate(
      () => (window as never as { playground: { build: string; sharedMemory: boolean } }).playground,
    );
    expect(state.build).toMatch(/^simd/); // a Wasm binary, not the plain-JS reference
    expect(state.sharedMemory).toBe(isolated);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
    const before = await paths(page);
    expect(before.map((p) => p.label.split(" ")[0])).toEqual([
      "SGD",
      "Momentum",
      "Nesterov",
      "Adagrad",
      "RMSprop",
      "Adadelta",
      "Adam",
      "Adamax",
      "Nadam",
    ]);
    expect(before.every((p) => p.points.length > 10)).toBe(true);
    expect(await page.locator("#plot svg path").count()).toBeGreaterThan(20);

    // Moving the learning-rate slider changes every path.
    await page.locator("#lr").fill("-1");
    const slower = await paths(page);
    slower.forEach((p, k) => expect(p.points.at(-1), p.label).not.toEqual(before[k].points.at(-1)));
    // Moving β1 changes Adam's path but not SGD's.
    await page.locator("#beta1").fill("0.5");
    const beta = await paths(page);
    expect(beta[6].points.at(-1)).not.toEqual(slower[6].points.at(-1));
    expect(beta[0].points).toEqual(slower[0].points);
    // A click on the plot moves the start.
    const box = (await page.locator("#plot svg").boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.3);
    const moved = await paths(page);
    expect(moved[0].points[0][0]).toBeGreaterThan(0);
    expect(moved[0].points[0][1]).toBeGreaterThan(0);

    mkdirSync(screenshots, { recursive: true });
    const file = `${screenshots}/playground${isolated ? "-isolated" : ""}.png`;
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20_000);
    await page.close();
  });
});
