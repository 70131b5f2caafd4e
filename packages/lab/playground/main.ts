// The playground: paths recomputed with simdopt's Wasm kernels and redrawn on every input.
import { loadRuntime } from "simdopt";
import {
  CLASSIC_LABELS,
  classicSet,
  colourOf,
  compare,
  contourLayout,
  contourPlot,
  findMinimum,
  LAB_FUNCTION_NAMES,
  labFunction,
  type DrawnPath,
} from "../src/index.js";

/** What the page exposes for its browser test. */
interface PlaygroundState {
  ready: boolean;
  build: string;
  sharedMemory: boolean;
  redraws: number;
  paths: { label: string; points: [number, number][] }[];
  error?: string;
}

const state: PlaygroundState = { ready: false, build: "", sharedMemory: false, redraws: 0, paths: [] };
(window as unknown as { playground: PlaygroundState }).playground = state;

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const functionSelect = element<HTMLSelectElement>("function");
const optimizerBox = element<HTMLFieldSetElement>("optimizers");
const plot = element<HTMLDivElement>("plot");
const status = element<HTMLDivElement>("status");
const sliders = ["lr", "momentum", "beta1", "beta2", "steps"].map((id) => element<HTMLInputElement>(id));
const [lr, momentum, beta1, beta2, steps] = sliders;

for (const name of LAB_FUNCTION_NAMES) functionSelect.add(new Option(name, name, name === "wobbly", name === "wobbly"));
for (const label of CLASSIC_LABELS) {
  const item = document.createElement("label");
  item.innerHTML = `<input type="checkbox" value="${label}" checked> <span class="swatch" style="background:${colourOf(label)}"></span> ${label}`;
  optimizerBox.append(item);
}

let start: [number, number] | undefined;

try {
  const runtime = await loadRuntime();
  state.build = runtime.build;
  state.sharedMemory = runtime.sharedMemory;

  const redraw = () => {
    const fn = labFunction(functionSelect.value);
    const chosen = [...optimizerBox.querySelectorAll<HTMLInputElement>("input:checked")].map((box) => box.value);
    const lrScale = 10 ** Number(lr.value);
    const knobs = { lrScale, momentum: Number(momentum.value), beta1: Number(beta1.value), beta2: Number(beta2.value) };
    element("lr-value").textContent = lrScale.toPrecision(3);
    for (const id of ["momentum", "beta1", "beta2", "steps"])
      element(`${id}-value`).textContent = element<HTMLInputElement>(id).value;
    const began = performance.now();
    const paths: DrawnPath[] = compare(
      runtime,
      fn,
      classicSet(fn, knobs, chosen),
      start ?? fn.start,
      Number(steps.value),
    );
    const ms = performance.now() - began;
    plot.innerHTML = contourPlot(fn, paths, { minimum: findMinimum(fn) });
    state.paths = paths.map((p) => ({ label: p.label, points: p.path.points }));
    state.redraws++;
    status.textContent =
      `${paths.length} paths × ${steps.value} steps in ${ms.toFixed(1)} ms on ${runtime.build}` +
      ` (${runtime.sharedMemory ? "shared" : "plain"} memory). Click the plot to move the start.`;
  };

  plot.addEventListener("click", (event) => {
    const fn = labFunction(functionSelect.value);
    const svg = plot.querySelector("svg");
    if (!svg) return;
    const box = svg.getBoundingClientRect();
    const { x, y, width } = contourLayout(fn);
    const scale = width / box.width;
    const point: [number, number] = [
      x.invert((event.clientX - box.left) * scale),
      y.invert((event.clientY - box.top) * scale),
    ];
    const [[x0, x1], [y0, y1]] = [fn.domain.x, fn.domain.y];
    if (point[0] < x0 || point[0] > x1 || point[1] < y0 || point[1] > y1) return;
    start = point;
    redraw();
  });
  functionSelect.addEventListener("change", () => {
    start = undefined;
    steps.value = String(labFunction(functionSelect.value).steps);
    redraw();
  });
  optimizerBox.addEventListener("change", redraw);
  for (const slider of sliders) slider.addEventListener("input", redraw);
  steps.value = String(labFunction(functionSelect.value).steps);
  redraw();
  state.ready = true;
} catch (error) {
  state.error = String(error);
  status.textContent = `error: ${String(error)}`;
}
