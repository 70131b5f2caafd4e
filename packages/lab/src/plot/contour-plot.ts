/**
 * The picture of a comparison on a 2-D function: filled level sets (d3-contour), one coloured path
 * per optimizer with a marker at every step (d3-shape), the start, the minimum and each path's end
 * marked, a legend;
 * optionally animated (SMIL: each path drawn step by step, a dot at its head, looping like the
 * classic GIFs).
 */
import { contours } from "d3-contour";
import { scaleLinear } from "d3-scale";
import { line, symbol, symbolCircle, symbolSquare, symbolStar } from "d3-shape";
import type { LabFunction } from "../functions.js";
import type { Path } from "../trajectory.js";
import { axes, type Frame } from "./axes.js";
import { escapeXml, legend, px, svgDocument, tag } from "./svg.js";

/** One optimizer's path as drawn. */
export interface DrawnPath {
  readonly label: string;
  readonly colour: string;
  readonly path: Path;
}

/** What to draw besides the paths. */
export interface ContourPlotOptions {
  title?: string;
  /** The marked minimum. */
  minimum?: readonly [number, number];
  /** Animate the paths instead of drawing them whole. */
  animate?: boolean;
  /** Milliseconds per step of the animation (default 40). */
  msPerStep?: number;
  /** Width of the drawing area in pixels (default 600). */
  size?: number;
  /** Grid resolution of the level sets (default 160). */
  resolution?: number;
  /** Number of level sets (default 24). */
  levels?: number;
}

/** Level-set colours from low (light) to high (dark): a neutral ramp under coloured paths. */
const LEVEL_COLOURS = ["#f7f8fb", "#d3d9e6", "#a3aec8", "#6f7d9e"];

/** Where a contour plot of `fn` draws: the picture's size, the frame and the scales from (x, y) to pixels (invertible). */
export function contourLayout(fn: LabFunction, size = 600) {
  const {
    x: [x0, x1],
    y: [y0, y1],
  } = fn.domain;
  const aspect = (y1 - y0) / (x1 - x0);
  const frame: Frame = {
    left: 64,
    top: 46,
    width: size,
    height: Math.round(Math.min(1.25, Math.max(0.5, aspect)) * size),
  };
  return {
    frame,
    width: frame.left + frame.width + 24,
    height: frame.top + frame.height + 56,
    x: scaleLinear()
      .domain([x0, x1])
      .range([frame.left, frame.left + frame.width]),
    y: scaleLinear()
      .domain([y0, y1])
      .range([frame.top + frame.height, frame.top]),
  };
}

/** The SVG of paths `paths` over the level sets of `fn`. */
export function contourPlot(fn: LabFunction, paths: readonly DrawnPath[], options: ContourPlotOptions = {}): string {
  const {
    title = fn.name,
    minimum,
    animate = false,
    msPerStep = 40,
    size = 600,
    resolution = 160,
    levels = 24,
  } = options;
  const {
    x: [x0, x1],
    y: [y0, y1],
  } = fn.domain;
  const { frame, width, height, x, y } = contourLayout(fn, size);

  // Sample f at cell centres; d3-contour's coordinate c (0..n) is x0 + c·dx.
  const nx = resolution;
  const ny = Math.round(resolution * (frame.height / frame.width));
  const dx = (x1 - x0) / nx;
  const dy = (y1 - y0) / ny;
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) values[j * nx + i] = fn.value(x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy);
  }
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) if (Number.isFinite(v)) [low, high] = [Math.min(low, v), Math.max(high, v)];
  const floor = (high - low) * 1e-4 || 1;
  const level = fn.logLevels ? (v: number) => Math.log(v - low + floor) : (v: number) => v;
  const levelValues = values.map(level);
  const [lo, hi] = [level(low), level(high)];
  const thresholds = Array.from({ length: levels }, (_, k) => lo + ((hi - lo) * k) / levels);
  const colour = scaleLinear<string>()
    .domain(LEVEL_COLOURS.map((_, k) => lo + ((hi - lo) * k) / (LEVEL_COLOURS.length - 1)))
    .range(LEVEL_COLOURS);
  const ring = line<[number, number]>()
    .x(([cx]) => x(x0 + cx * dx))
    .y(([, cy]) => y(y0 + cy * dy));
  const bands = contours()
    .size([nx, ny])
    .thresholds(thresholds)(Array.from(levelValues))
    .map((band) => {
      const d = band.coordinates.flatMap((polygon) => polygon.map((r) => `${ring(r as [number, number][])}Z`)).join("");
      return tag("path", {
        d,
        fill: colour(band.value),
        stroke: "#ffffff",
        "stroke-opacity": 0.7,
        "stroke-width": 0.7,
      });
    });

  const clipId = `frame-${fn.name}`;
  const trace = line<[number, number]>()
    .x(([px_]) => x(px_))
    .y(([, py]) => y(py));
  const drawn = paths.map(({ colour: stroke, path }) => {
    const d = trace(path.points) ?? "";
    if (!animate) {
      const every = Math.max(1, Math.ceil(path.points.length / 150));
      const dots = path.points
        .filter((_, k) => k % every === 0 || k === path.points.length - 1)
        .map(([px_, py]) => tag("circle", { cx: x(px_), cy: y(py), r: 2.3 }));
      return tag(
        "g",
        { stroke: stroke, fill: stroke },
        tag("path", { d, fill: "none", "stroke-width": 2.2, "stroke-linejoin": "round", "stroke-opacity": 0.9 }),
        tag("g", { stroke: "none" }, ...dots),
      );
    }
    return animatedPath(path, stroke, d, x, y, msPerStep);
  });

  const start = paths[0]?.path.points[0] ?? fn.start;
  const marks = [
    tag("path", {
      d: symbol(symbolCircle, 110)() ?? "",
      transform: `translate(${px(x(start[0]))},${px(y(start[1]))})`,
      fill: "#ffffff",
      stroke: "#000000",
      "stroke-width": 2,
    }),
    tag("text", { x: x(start[0]) + 9, y: y(start[1]) + 16, "font-weight": "bold" }, "start"),
  ];
  if (minimum) {
    marks.push(
      tag("path", {
        d: symbol(symbolStar, 260)() ?? "",
        transform: `translate(${px(x(minimum[0]))},${px(y(minimum[1]))})`,
        fill: "#ffd700",
        stroke: "#000000",
        "stroke-width": 1.2,
      }),
    );
  }
  // Where each path ends, over the minimum's star: a square of its colour (the animation's head
  // dot marks it there). A diverged path ends where it left the window, unmarked.
  const ends = animate
    ? []
    : paths
        .filter(({ path }) => !path.diverged && path.points.length > 1)
        .map(({ colour: c, path }) => {
          const [ex, ey] = path.points[path.points.length - 1];
          return tag("path", {
            d: symbol(symbolSquare, 64)() ?? "",
            transform: `translate(${px(x(ex))},${px(y(ey))})`,
            fill: c,
            stroke: "#000000",
            "stroke-width": 1.2,
          });
        });
  const entries = paths.map(({ label, colour: c, path }) => ({
    label: path.diverged ? `${label} (diverged)` : label,
    colour: c,
  }));
  return svgDocument(
    width,
    height,
    tag(
      "defs",
      {},
      tag(
        "clipPath",
        { id: clipId },
        tag("rect", { x: frame.left, y: frame.top, width: frame.width, height: frame.height }),
      ),
    ),
    tag("text", { x: frame.left, y: 20, "font-size": 16, "font-weight": "bold" }, escapeXml(title)),
    tag("text", { x: frame.left, y: 37, "font-size": 12, fill: "#444444" }, escapeXml(`f(x, y) = ${fn.formula}`)),
    tag("g", { "clip-path": `url(#${clipId})` }, ...bands, ...drawn, ...marks, ...ends),
    axes(frame, x, y, { xTitle: "x", yTitle: "y" }),
    entries.length > 0 ? legend(...legendCorner(frame, entries, [x(start[0]), y(start[1])]), entries) : "",
  );
}

/** A path drawn step by step (stroke-dashoffset keyed at every step) with a dot at its head, looping. */
function animatedPath(
  path: Path,
  stroke: string,
  d: string,
  x: (v: number) => number,
  y: (v: number) => number,
  msPerStep: number,
): string {
  const screen = path.points.map(([a, b]) => [x(a), y(b)]);
  const lengths = [0];
  for (let k = 1; k < screen.length; k++) {
    lengths.push(lengths[k - 1] + Math.hypot(screen[k][0] - screen[k - 1][0], screen[k][1] - screen[k - 1][1]));
  }
  const total = lengths[lengths.length - 1] || 1;
  const steps = Math.max(1, screen.length - 1);
  const keyTimes = screen.map((_, k) => px(k / steps)).join(";");
  const dur = `${((steps * msPerStep) / 1000).toFixed(2)}s`;
  const common = { dur, keyTimes, repeatCount: "indefinite", calcMode: "linear", fill: "freeze" };
  return tag(
    "g",
    {},
    tag(
      "path",
      {
        d,
        fill: "none",
        stroke,
        "stroke-width": 2.4,
        "stroke-dasharray": `${px(total)} ${px(total)}`,
        "stroke-dashoffset": 0,
      },
      tag("animate", {
        attributeName: "stroke-dashoffset",
        values: lengths.map((l) => px(total - l)).join(";"),
        ...common,
      }),
    ),
    tag(
      "circle",
      { r: 5, fill: stroke, stroke: "#000000", "stroke-width": 1, cx: screen.at(-1)?.[0], cy: screen.at(-1)?.[1] },
      tag("animate", { attributeName: "cx", values: screen.map((p) => px(p[0])).join(";"), ...common }),
      tag("animate", { attributeName: "cy", values: screen.map((p) => px(p[1])).join(";"), ...common }),
    ),
  );
}

/** The legend's position: the corner of the frame farthest from the start, so that it hides no path's beginning. */
function legendCorner(frame: Frame, entries: { label: string }[], start: [number, number]): [number, number] {
  const width = 28 + Math.max(...entries.map((e) => e.label.length)) * 7.6;
  const height = entries.length * 18;
  const corners: [number, number][] = [
    [frame.left + frame.width - width - 8, frame.top + 20],
    [frame.left + 14, frame.top + 20],
    [frame.left + frame.width - width - 8, frame.top + frame.height - height - 2],
    [frame.left + 14, frame.top + frame.height - height - 2],
  ];
  const distance = ([cx, cy]: [number, number]) => Math.hypot(cx + width / 2 - start[0], cy + height / 2 - start[1]);
  return corners.reduce((best, corner) => (distance(corner) > distance(best) ? corner : best));
}
