/** Axes drawn from d3-scale's ticks: a frame, tick marks, tick labels and axis titles. */
import { escapeXml, tag } from "./svg.js";

/** The inner drawing area of a chart. */
export interface Frame {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** A scale as the axes use it: position of a value, ticks and their labels (d3-scale's linear and log scales). */
export interface AxisScale {
  (value: number): number;
  ticks(count?: number): number[];
  tickFormat(count?: number): (value: number) => string;
}

/** Axis options: titles and tick counts. */
export interface AxesOptions {
  xTitle?: string;
  yTitle?: string;
  xTicks?: number;
  yTicks?: number;
  /** Draw light grid lines at the ticks. */
  grid?: boolean;
}

/** A bottom and a left axis for `x` and `y` (whose ranges are in pixels) around `frame`. */
export function axes(frame: Frame, x: AxisScale, y: AxisScale, options: AxesOptions = {}): string {
  const { xTitle, yTitle, xTicks = 8, yTicks = 6, grid = false } = options;
  const bottom = frame.top + frame.height;
  const right = frame.left + frame.width;
  const xFormat = x.tickFormat(xTicks);
  const yFormat = y.tickFormat(yTicks);
  const parts: string[] = [];
  for (const value of x.ticks(xTicks)) {
    const at = x(value);
    if (grid) parts.push(tag("line", { x1: at, x2: at, y1: frame.top, y2: bottom, stroke: "#e5e5e5" }));
    parts.push(tag("line", { x1: at, x2: at, y1: bottom, y2: bottom + 5, stroke: "#333333" }));
    parts.push(
      tag("text", { x: at, y: bottom + 18, "text-anchor": "middle", fill: "#333333" }, escapeXml(xFormat(value))),
    );
  }
  for (const value of y.ticks(yTicks)) {
    const at = y(value);
    if (grid) parts.push(tag("line", { x1: frame.left, x2: right, y1: at, y2: at, stroke: "#e5e5e5" }));
    parts.push(tag("line", { x1: frame.left - 5, x2: frame.left, y1: at, y2: at, stroke: "#333333" }));
    parts.push(
      tag("text", { x: frame.left - 8, y: at + 4, "text-anchor": "end", fill: "#333333" }, escapeXml(yFormat(value))),
    );
  }
  parts.push(
    tag("rect", {
      x: frame.left,
      y: frame.top,
      width: frame.width,
      height: frame.height,
      fill: "none",
      stroke: "#333333",
    }),
  );
  if (xTitle)
    parts.push(
      tag("text", { x: frame.left + frame.width / 2, y: bottom + 38, "text-anchor": "middle" }, escapeXml(xTitle)),
    );
  if (yTitle) {
    const cx = frame.left - 48;
    const cy = frame.top + frame.height / 2;
    parts.push(
      tag("text", { x: cx, y: cy, "text-anchor": "middle", transform: `rotate(-90 ${cx} ${cy})` }, escapeXml(yTitle)),
    );
  }
  return parts.join("");
}
