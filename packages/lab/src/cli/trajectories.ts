/** `simdopt-lab trajectories`: optimizer paths over a function's level sets, still and animated. */
import { loadRuntime } from "simdopt";
import { CLASSIC_LABELS, classicSet, type Knobs } from "../classic.js";
import { compare } from "../comparison.js";
import { findMinimum, LAB_FUNCTION_NAMES, labFunction } from "../functions.js";
import { contourPlot } from "../plot/contour-plot.js";
import { listFlag, numberFlag, type Command } from "./args.js";
import { checkOutputFolder, writePicture, type Picture } from "./output.js";
import { ProgressBar } from "./progress.js";

/** What to draw. */
export interface TrajectoriesRequest {
  functions: string[];
  optimizers?: string[];
  start?: [number, number];
  steps?: number;
  knobs?: Knobs;
  out: string;
  png: boolean;
  animate: boolean;
  quiet?: boolean;
}

/** Draws every function of the request; returns the pictures written. */
export async function drawTrajectories(request: TrajectoriesRequest): Promise<Picture[]> {
  const functions = request.functions.map(labFunction);
  const runtime = await loadRuntime();
  const bar = new ProgressBar("trajectories", functions.length, process.stderr, request.quiet);
  const pictures: Picture[] = [];
  functions.forEach((fn, k) => {
    const optimizers = classicSet(fn, request.knobs, request.optimizers);
    const paths = compare(runtime, fn, optimizers, request.start ?? fn.start, request.steps ?? fn.steps);
    const minimum = findMinimum(fn);
    const steps = request.steps ?? fn.steps;
    const caption = `${steps} steps from (${(request.start ?? fn.start).join(", ")}); ★ the minimum.`;
    pictures.push(
      writePicture(request.out, `trajectories-${fn.name}`, contourPlot(fn, paths, { minimum }), request.png, {
        section: "Trajectories",
        title: fn.name,
        caption,
      }),
    );
    if (request.animate) {
      pictures.push(
        writePicture(
          request.out,
          `trajectories-${fn.name}-animated`,
          contourPlot(fn, paths, { minimum, animate: true }),
          false,
          { section: "Animated trajectories", title: `${fn.name} (animated)`, caption },
        ),
      );
    }
    bar.update(k + 1, fn.name);
  });
  bar.finish();
  return pictures;
}

/** Parses "x,y". */
export function parsePoint(value: string | boolean | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = typeof value === "string" ? value.split(",").map(Number) : [];
  if (parts.length !== 2 || !parts.every(Number.isFinite)) {
    throw new RangeError(`simdopt-lab: --start takes two numbers as x,y, got '${String(value)}'`);
  }
  return [parts[0], parts[1]];
}

/** The largest --lr-scale: far beyond any useful step, far below what would make a learning rate overflow. */
export const MAX_LR_SCALE = 1e6;

/** The `trajectories` command: flags, help and what it runs. */
export const trajectoriesCommand: Command = {
  name: "trajectories",
  summary:
    "Runs optimizers from a start point on 2-D test functions and draws, for each function, its filled level sets,\n" +
    "one coloured path per optimizer with a marker at every step, the start and the minimum, and a legend;\n" +
    "with --animate also an animated SVG (paths drawn step by step, looping).\n" +
    `Functions: ${LAB_FUNCTION_NAMES.join(", ")}, or all.\nOptimizers: ${CLASSIC_LABELS.join(", ")}.`,
  flags: {
    function: { type: "string", help: "function name(s), comma-separated, or all", default: "wobbly" },
    optimizers: { type: "string", help: "optimizer labels, comma-separated", default: CLASSIC_LABELS.join(",") },
    start: { type: "string", help: "start point x,y (default: the function's own)" },
    steps: { type: "string", help: "steps (default: the function's own)" },
    "lr-scale": {
      type: "string",
      help: `multiplies every default learning rate (up to ${MAX_LR_SCALE})`,
      default: "1",
    },
    momentum: { type: "string", help: "momentum of Momentum and Nesterov", default: "0.9" },
    beta1: { type: "string", help: "β1 of Adam, Adamax and Nadam", default: "0.9" },
    beta2: {
      type: "string",
      help: "β2 of Adam, Adamax, Nadam (and RMSprop's α, Adadelta's ρ, capped)",
      default: "0.999",
    },
    out: { type: "string", help: "output folder", default: "lab-output" },
    png: { type: "boolean", help: "also write PNGs" },
    animate: { type: "boolean", help: "also write animated SVGs" },
  },
  async run(values) {
    const named = listFlag(values.function) ?? ["wobbly"];
    const unit = (n: number) => n >= 0 && n < 1;
    const pictures = await drawTrajectories({
      functions: named.includes("all") ? [...LAB_FUNCTION_NAMES] : named,
      optimizers: listFlag(values.optimizers),
      start: parsePoint(values.start),
      steps: numberFlag("steps", values.steps, (n) => Number.isInteger(n) && n >= 0 && n <= 100_000),
      knobs: {
        // Bounded so that every learning rate it scales stays finite: a refusal names --lr-scale, not lr.
        lrScale: numberFlag("lr-scale", values["lr-scale"], (n) => n > 0 && n <= MAX_LR_SCALE),
        momentum: numberFlag("momentum", values.momentum, unit),
        beta1: numberFlag("beta1", values.beta1, unit),
        beta2: numberFlag("beta2", values.beta2, unit),
      },
      out: checkOutputFolder("out", String(values.out)),
      png: values.png === true,
      animate: values.animate === true,
    });
    for (const picture of pictures) console.log(`${String(values.out)}/${picture.png ?? picture.svg}`);
  },
};
