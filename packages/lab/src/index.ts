/**
 * @simdopt/lab: simdopt's optimizers on 2-D test functions, synthetic gradient signals and a digit
 * classifier, drawn as SVG. This entry point runs in Node and in browsers (the playground uses it);
 * the command line (`simdopt-lab`) adds files, PNGs and the digit data.
 */
export {
  LAB_FUNCTIONS,
  LAB_FUNCTION_NAMES,
  labFunction,
  findMinimum,
  rosenbrock,
  beale,
  type LabFunction,
} from "./functions.js";
export {
  CLASSIC_LABELS,
  classicSet,
  colourOf,
  PALETTE,
  type ClassicLabel,
  type Knobs,
  type LabOptimizer,
} from "./classic.js";
export { runPath, type Path } from "./trajectory.js";
export { compare, formatNumber } from "./comparison.js";
export { SIGNALS, SIGNAL_NAMES, SIGNAL_STEPS, RESPONSE_SUBJECTS, response, type ResponseSubject } from "./responses.js";
export { contourPlot, contourLayout, type ContourPlotOptions, type DrawnPath } from "./plot/contour-plot.js";
export { lineChart, type LineChartOptions, type Series } from "./plot/line-chart.js";
export { seededRandom, normalRandom } from "./random.js";
