/**
 * Line charts (d3-scale for the axes, d3-shape for the lines): several series over one x axis, an
 * optional background series on its own right-hand axis (drawn light, behind), a legend.
 */
import { scaleLinear, scaleLog } from "d3-scale";
import { area, line } from "d3-shape";
import { axes, type Frame } from "./axes.js";
import { escapeXml, legendRow, legendRows, svgDocument, tag } from "./svg.js";

/** One line: y values at x = xs[k] (or k when the chart has no xs). */
export interface Series {
  readonly label: string;
  readonly colour: string;
  readonly values: readonly number[];
  readonly dash?: string;
  /** x of every value, when not the chart's. */
  readonly xs?: readonly number[];
}

/** What a chart shows. */
export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  /** x of every value (default 0, 1, 2, ...). */
  xs?: readonly number[];
  /** Drawn light behind the series, on its own axis at the right. */
  background?: { label: string; values: readonly number[] };
  /** Fix the y range (otherwise fitted to the series). */
  yDomain?: readonly [number, number];
  /** A logarithmic y axis (values ≤ 0 are not drawn). */
  yLog?: boolean;
  width?: number;
  height?: number;
}

/** The SVG of a chart of `series`. */
export function lineChart(series: readonly Series[], options: LineChartOptions): string {
  const { title, subtitle, xTitle, yTitle, background, width = 640, height = 360 } = options;
  const innerWidth = width - 72 - (background ? 64 : 20);
  const legendTop = subtitle ? 58 : 44;
  const rows = legendRows(
    series.map((s) => s.label),
    innerWidth,
  );
  const frame: Frame = { left: 72, top: legendTop + 20 * rows, width: innerWidth, height: 0 };
  const fullFrame: Frame = { ...frame, height: height - frame.top - 52 };
  const count = Math.max(0, ...series.map((s) => s.values.length), background?.values.length ?? 0);
  const xs = options.xs ?? Array.from({ length: count }, (_, k) => k);
  const [xFirst, xLast] = [xs[0] ?? 0, xs[xs.length - 1] ?? 1];
  const x = scaleLinear()
    .domain(xFirst < xLast ? [xFirst, xLast] : [Math.min(0, xFirst), Math.max(xFirst, 0) || 1])
    .range([frame.left, frame.left + frame.width]);
  const yLog = options.yLog === true;
  const drawn = (v: number) => Number.isFinite(v) && (!yLog || v > 0);
  const finite = series.flatMap((s) => s.values.filter(drawn));
  const [yLow, yHigh] =
    options.yDomain ??
    (yLog
      ? positiveRange(Math.min(...finite), Math.max(...finite))
      : symmetricIfSigned(Math.min(0, ...finite), Math.max(0, ...finite)));
  // A log axis is not rounded out to whole decades, which would squeeze a range like 2 to 4 into a sliver.
  const y = (yLog ? scaleLog().domain([yLow, yHigh]) : scaleLinear().domain([yLow, yHigh]).nice()).range([
    fullFrame.top + fullFrame.height,
    fullFrame.top,
  ]);
  const pathOver = (at: readonly number[]) =>
    line<number>()
      .defined(drawn)
      .x((_, k) => x(at[k]))
      .y((v) => y(v));
  const parts: string[] = [];
  const outside: string[] = [];
  const clipId = `plot-${Math.abs(hash(title + (subtitle ?? "")))}`;
  if (background) {
    const bValues = background.values;
    const bMax = Math.max(1e-12, ...bValues.map(Math.abs));
    const b = scaleLinear()
      .domain([-bMax, bMax])
      .nice()
      .range([fullFrame.top + fullFrame.height, fullFrame.top]);
    const zero = b(0);
    const fill = area<number>()
      .x((_, k) => x(xs[k]))
      .y0(zero)
      .y1((v) => b(v));
    parts.push(
      tag("path", {
        d: fill(bValues as number[]) ?? "",
        fill: "#d0d0d0",
        "fill-opacity": 0.6,
        stroke: "#a0a0a0",
        "stroke-width": 0.8,
      }),
    );
    const right = frame.left + frame.width;
    const format = b.tickFormat(5);
    for (const value of b.ticks(5)) {
      outside.push(tag("line", { x1: right, x2: right + 5, y1: b(value), y2: b(value), stroke: "#888888" }));
      outside.push(tag("text", { x: right + 8, y: b(value) + 4, fill: "#888888" }, escapeXml(format(value))));
    }
    const cx = right + 46;
    const cy = fullFrame.top + fullFrame.height / 2;
    outside.push(
      tag(
        "text",
        { x: cx, y: cy, "text-anchor": "middle", fill: "#888888", transform: `rotate(90 ${cx} ${cy})` },
        escapeXml(background.label),
      ),
    );
  }
  if (yLow < 0 && yHigh > 0) {
    parts.push(
      tag("line", {
        x1: frame.left,
        x2: frame.left + frame.width,
        y1: y(0),
        y2: y(0),
        stroke: "#666666",
        "stroke-dasharray": "3 3",
      }),
    );
  }
  const lines = series.map((s) =>
    tag("path", {
      d: pathOver(s.xs ?? xs)(s.values as number[]) ?? "",
      fill: "none",
      stroke: s.colour,
      "stroke-width": 2,
      "stroke-dasharray": s.dash,
      "stroke-linejoin": "round",
    }),
  );
  const entries = series.map((s) => ({ label: s.label, colour: s.colour, dash: s.dash }));
  return svgDocument(
    width,
    height,
    tag(
      "defs",
      {},
      tag(
        "clipPath",
        { id: clipId },
        tag("rect", { x: frame.left, y: fullFrame.top, width: frame.width, height: fullFrame.height }),
      ),
    ),
    tag("text", { x: frame.left, y: 20, "font-size": 15, "font-weight": "bold" }, escapeXml(title)),
    subtitle ? tag("text", { x: frame.left, y: 38, "font-size": 12, fill: "#444444" }, escapeXml(subtitle)) : "",
    axes(fullFrame, x, y, { xTitle, yTitle, grid: true }),
    tag("g", { "clip-path": `url(#${clipId})` }, ...parts, ...lines),
    ...outside,
    legendRow(frame.left, legendTop, entries, innerWidth),
  );
}

/** A range of positive values for a log axis, with a margin (a decade around 1 when there are none). */
function positiveRange(low: number, high: number): [number, number] {
  if (!(low > 0 && Number.isFinite(high))) return [0.1, 10];
  return low === high ? [low / 2, high * 2] : [low / 1.04, high * 1.04];
}

/** A range that keeps 0 in the middle when values of both signs are drawn against a signed signal. */
function symmetricIfSigned(low: number, high: number): [number, number] {
  if (low < 0 && high > 0) {
    const m = Math.max(-low, high);
    return [-m, m];
  }
  return low === high ? [low - 1, high + 1] : [low, high];
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
