// The pictures as files: what a contour plot and a chart contain, and PNGs that resvg renders.
import { loadRuntime } from "simdopt";
import { expect, test } from "vitest";
import { classicSet, compare, contourPlot, findMinimum, labFunction, lineChart } from "../dist/index.js";
import { svgToPng } from "../dist/plot/png.js";

test("a contour plot: level sets, a path and markers per optimizer, start, minimum, legend", async () => {
  const runtime = await loadRuntime();
  const fn = labFunction("two_minimums");
  const paths = compare(runtime, fn, classicSet(fn, {}, ["SGD", "Adam"]), fn.start, 20);
  const svg = contourPlot(fn, paths, { minimum: findMinimum(fn), levels: 12 });
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.match(/<path d="M[^"]*Z"/g)?.length).toBeGreaterThanOrEqual(10); // filled bands
  expect(svg.match(/<circle /g)?.length).toBe(2 * 21); // a marker per point
  for (const text of ["SGD  lr=0.5", "Adam  lr=0.1", ">start<", "two_minimums"]) expect(svg).toContain(text);
  expect(svg).not.toContain("NaN");
  const animated = contourPlot(fn, paths, { animate: true });
  expect(animated.match(/attributeName="stroke-dashoffset"/g)).toHaveLength(2);
  expect(animated.match(/attributeName="cx"/g)).toHaveLength(2);
  const png = svgToPng(svg);
  expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
  expect(png.readUInt32BE(16)).toBe(688); // width: 64 + 600 + 24
});

test("a line chart: one path per series, the background signal, axes and a legend", () => {
  const svg = lineChart(
    [
      { label: "a", colour: "#f00", values: [0, 1, 2] },
      { label: "b <c>", colour: "#00f", values: [2, 1, 0] },
    ],
    { title: "T & U", xTitle: "step", yTitle: "value", background: { label: "gradient", values: [1, -1, 1] } },
  );
  expect(svg).toContain("T &amp; U");
  expect(svg).toContain("b &lt;c&gt;");
  expect(svg.match(/stroke-width="2"/g)).toHaveLength(2);
  expect(svg).toContain(">gradient<");
  expect(svg).not.toContain("NaN");
});

test("a line chart on a log axis: ticks at 1, 2, 4, series with x positions of their own, no value ≤ 0 drawn", () => {
  const svg = lineChart(
    [
      { label: "training", colour: "#4e79a7", values: [4, 2, 1, 0.5, 0], xs: [0, 1, 2, 3, 4] },
      { label: "held out", colour: "#4e79a7", values: [4, 0.6], xs: [0, 4], dash: "6 4" },
    ],
    { title: "loss", xTitle: "epoch", yTitle: "nats", yLog: true },
  );
  expect(svg).not.toContain("NaN");
  expect(svg).not.toContain("Infinity");
  const paths = [...svg.matchAll(/<path d="(M[^"]*)" fill="none"/g)].map((m) => m[1]);
  expect(paths).toHaveLength(2);
  expect(paths[0].split(/[ML]/).filter(Boolean)).toHaveLength(4); // the 0 is left out
  expect(paths[1].split(/[ML]/).filter(Boolean)).toHaveLength(2);
  // Equal ratios are equal distances (SVG coordinates are rounded to 0.001): 4 → 2 → 1 → 0.5 step alike.
  const ys = paths[0]
    .split(/[ML]/)
    .filter(Boolean)
    .map((point) => Number(point.split(",")[1]));
  expect(ys[1] - ys[0]).toBeCloseTo(ys[2] - ys[1], 2);
  expect(ys[2] - ys[1]).toBeCloseTo(ys[3] - ys[2], 2);
  for (const label of [">1<", ">2<", ">4<"]) expect(svg).toContain(label); // not rounded out to 0.1 and 10
});
