/** `simdopt-lab responses`: each optimizer's steps for synthetic gradient signals, at three values of its main hyper-parameter. */
import { loadRuntime } from "simdopt";
import { PALETTE } from "../classic.js";
import { formatNumber } from "../comparison.js";
import { lineChart } from "../plot/line-chart.js";
import { response, RESPONSE_SUBJECTS, SIGNAL_NAMES, SIGNALS } from "../responses.js";
import { listFlag, type Command } from "./args.js";
import { checkOutputFolder, writePicture, type Picture } from "./output.js";
import { ProgressBar } from "./progress.js";

/** Which charts to draw. */
export interface ResponsesRequest {
  optimizers?: string[];
  signals?: string[];
  out: string;
  png: boolean;
  quiet?: boolean;
}

const LINE_COLOURS = [PALETTE[0], PALETTE[1], PALETTE[2]];

/** Draws one chart per optimizer and signal; returns the pictures written. */
export async function drawResponses(request: ResponsesRequest): Promise<Picture[]> {
  const labels = RESPONSE_SUBJECTS.map((s) => s.label);
  const subjects = (request.optimizers ?? labels).map((label) => {
    const found = RESPONSE_SUBJECTS.find((s) => s.label === label);
    if (!found) throw new TypeError(`simdopt-lab: unknown optimizer '${label}' (known: ${labels.join(", ")})`);
    return found;
  });
  const signals = (request.signals ?? [...SIGNAL_NAMES]).map((name) => {
    if (!Object.hasOwn(SIGNALS, name))
      throw new TypeError(`simdopt-lab: unknown signal '${name}' (known: ${SIGNAL_NAMES.join(", ")})`);
    return name;
  });
  const runtime = await loadRuntime();
  const bar = new ProgressBar("responses", subjects.length * signals.length, process.stderr, request.quiet);
  const pictures: Picture[] = [];
  for (const subject of subjects) {
    for (const signal of signals) {
      const gradients = SIGNALS[signal].values();
      const series = subject.values.map((value, k) => ({
        label: `${subject.parameter} = ${formatNumber(value)}`,
        colour: LINE_COLOURS[k],
        values: response(runtime, subject.optimizer, { ...subject.base, ...subject.apply(value) }, gradients),
      }));
      const fixed = Object.entries(subject.base)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(", ");
      const svg = lineChart(series, {
        title: `${subject.label} on ${signal.replaceAll("_", " ")}`,
        subtitle: `${SIGNALS[signal].description}${fixed ? `; ${fixed}` : ""}`,
        xTitle: "step",
        yTitle: "step taken −Δθ",
        background: { label: "gradient", values: gradients },
      });
      pictures.push(
        writePicture(request.out, `responses-${subject.label.toLowerCase()}-${signal}`, svg, request.png, {
          section: "Responses",
          title: `${subject.label}, ${signal.replaceAll("_", " ")}`,
        }),
      );
      bar.update(pictures.length, `${subject.label} ${signal}`);
    }
  }
  bar.finish();
  return pictures;
}

/** The `responses` command: flags, help and what it runs. */
export const responsesCommand: Command = {
  name: "responses",
  summary:
    "Feeds each optimizer a synthetic gradient signal for 300 steps (the parameter does not change the gradient)\n" +
    "and draws the steps it takes at three values of its main hyper-parameter, the gradient drawn behind.\n" +
    `Signals: ${SIGNAL_NAMES.join(", ")}.\nOptimizers: ${RESPONSE_SUBJECTS.map((s) => `${s.label} (${s.parameter})`).join(", ")}.`,
  flags: {
    optimizers: { type: "string", help: "optimizer labels, comma-separated (default: all)" },
    signals: { type: "string", help: "signal names, comma-separated (default: all)" },
    out: { type: "string", help: "output folder", default: "lab-output" },
    png: { type: "boolean", help: "also write PNGs" },
  },
  async run(values) {
    const pictures = await drawResponses({
      optimizers: listFlag(values.optimizers),
      signals: listFlag(values.signals),
      out: checkOutputFolder("out", String(values.out)),
      png: values.png === true,
    });
    for (const picture of pictures) console.log(`${String(values.out)}/${picture.png ?? picture.svg}`);
  },
};
