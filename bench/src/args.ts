/** Command-line flags of `npm run bench`. */
import { CASE_IDS, type Dtype } from "./cases.js";
import { IMPL_IDS } from "./impls/registry.js";

export type Profile = "quick" | "full";

/** How each measurement is taken (tinybench settings; recorded in the JSON). */
export interface TimingSettings {
  /** tinybench `time`: time budget per measurement, ms. */
  timeMs: number;
  /** tinybench `iterations`: minimum samples per measurement. */
  minSamples: number;
  /** Fewer samples (but at least `slowMinSamples`) when minSamples would exceed this, ms. */
  maxTaskMs: number;
  slowMinSamples: number;
  /** Untimed warm-up steps are run for at least this long before timing, ms. */
  warmupMs: number;
  /** Steps are batched so that one sample lasts at least this long, ms (timer resolution). */
  minSampleMs: number;
}

export interface BenchConfig {
  profile: Profile;
  optimizers: string[];
  sizes: number[];
  impls: string[];
  dtype: Dtype;
  /** JSON output path; the markdown and SVG go to outDir. */
  jsonPath: string;
  outDir: string;
  timing: TimingSettings;
  /** Largest size each implementation runs at (none for an implementation not listed); see QUICK_SIZE_LIMITS. */
  sizeLimits: Record<string, SizeLimit>;
  /** Whether to run the many-tensor case (many-tensors.ts): by default in the profiles, not in selective runs. */
  manyTensors: boolean;
  /** Whether to run the sparse case (sparse-rows.ts), and the table's rows (1M unless --sparse-rows-table). */
  sparseRows: boolean;
  sparseTableRows: number;
  /** Whether to time Adam with float32, bfloat16 and 8-bit state (low-bit-state.ts): as manyTensors. */
  lowBitState: boolean;
  /** Whether to fill a 4 GiB memory with parameters and Adam state per format: --capacity or --full. */
  capacity: boolean;
}

/** An implementation skipped above `maxSize`, and why (shown in the report). */
export interface SizeLimit {
  maxSize: number;
  reason: string;
}

export const QUICK_OPTIMIZERS = ["adam", "momentum"];
export const QUICK_SIZES = [4096, 65536, 1048576, 16777216];
export const FULL_SIZES = [4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];
export const MAX_SIZE = 1 << 27;

/**
 * The quick profile's default sizes skip TF.js's cpu backend above 1M: one Adam step over 16M
 * parameters takes it about 4 s, so that one cell would take most of the run. `--full` and
 * `--sizes` run every implementation at every size.
 */
export const QUICK_SIZE_LIMITS: Record<string, SizeLimit> = {
  "tfjs-cpu": {
    maxSize: 1048576,
    reason: "skipped above 1M in the quick profile (a step takes seconds there; --full or --sizes runs it)",
  },
};

export const TIMING: Record<Profile, TimingSettings> = {
  quick: { timeMs: 200, minSamples: 5, maxTaskMs: 2500, slowMinSamples: 3, warmupMs: 20, minSampleMs: 0.05 },
  full: { timeMs: 1000, minSamples: 20, maxTaskMs: 15000, slowMinSamples: 5, warmupMs: 100, minSampleMs: 0.1 },
};

export const DEFAULT_OUT_DIR = "results";

export const HELP = `Usage: npm run bench -- [flags]      (or: node bench/dist/src/main.js [flags])

Times one optimizer step of every implementation on the same data, after checking each against
simdopt's reference, next to a Wasm memory-bandwidth reference with the same traffic.

Flags:
  --optimizers <list>  comma-separated cases (default quick: ${QUICK_OPTIMIZERS.join(",")}; --full: all)
                       known: ${CASE_IDS.join(", ")}
  --sizes <list>       comma-separated parameter counts; K and M suffixes allowed (4K = 4096, 1M = 1048576)
                       (default quick: 4K,64K,1M,16M; --full: 4K,16K,64K,256K,1M,4M,16M)
  --impls <list>       comma-separated implementations (default: all)
                       known: ${IMPL_IDS.join(", ")}
  --dtype <t>          float32 (default) or float64 (TF.js is n/a in float64)
  --json <path>        where to write the JSON results (default: bench/results/latest.json)
  --out-dir <dir>      where to write latest.md and latest.svg (default: bench/results)
  --full               all optimizers, more sizes, more samples (several minutes)
  --sparse-rows        also time sparse steps of a 1M x 64 table at 0.1% and 1% of rows touched against
  --no-sparse-rows     the dense step of the same optimizer (same default as --many-tensors)
  --sparse-table-rows <n>  the sparse case's table rows (default 1M; a smaller table for a smoke run)
  --many-tensors       also time Adam over 1 x 1M, 1,000 x 1K and 10,000 x 100 tensors (the default
  --no-many-tensors    unless --optimizers, --sizes, --impls or --dtype narrows the run)
  --low-bit-state      also time Adam with float32, bfloat16, 8-bit, 4-bit and FP8 state at 64K and 16M parameters
  --no-low-bit-state   (same default as --many-tensors)
  --capacity           also count the parameters with Adam state that fit in one 4 GiB memory, per
                       state format, by allocating them (the default with --full; it takes 4 GiB)
  --help, -h           this text

The quick profile (the default, about a minute on 2 cores) runs tfjs-cpu only up to 1M: a step of its
plain-JS backend over 16M parameters takes seconds. The report marks those cells "skipped"; --full or
--sizes runs every implementation at every size.

Outputs: <out-dir>/latest.md (tables), <out-dir>/latest.svg (throughput chart), and the JSON.`;

export class ArgsError extends Error {
  override name = "ArgsError";
}

/** Parses "4096", "64K", "1M", "16m" to a positive integer. */
export function parseSize(text: string): number {
  const m = /^(\d+)([kKmM]?)$/.exec(text.trim());
  if (m === null) throw new ArgsError(`--sizes: '${text}' is not a size (use e.g. 4096, 64K, 1M)`);
  const n = Number(m[1]) * (m[2] === "" ? 1 : m[2].toLowerCase() === "k" ? 1024 : 1024 * 1024);
  if (!Number.isSafeInteger(n) || n < 1) throw new ArgsError(`--sizes: '${text}' must be at least 1`);
  if (n > MAX_SIZE) throw new ArgsError(`--sizes: '${text}' is too large (at most ${MAX_SIZE})`);
  return n;
}

function list(flag: string, value: string, known: readonly string[]): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new ArgsError(`${flag}: empty list`);
  for (const item of items) {
    if (!known.includes(item)) throw new ArgsError(`${flag}: unknown value '${item}' (known: ${known.join(", ")})`);
  }
  return [...new Set(items)];
}

export type ParsedArgs = { help: true } | ({ help: false } & BenchConfig);

/**
 * Parses argv (without node and the script). `--flag value` and `--flag=value` are accepted.
 * `defaultDir` is the bench package directory (outputs default to <defaultDir>/results).
 */
export function parseArgs(argv: readonly string[], defaultDir = "."): ParsedArgs {
  const seen = new Map<string, string | true>();
  const valued = new Set([
    "--optimizers",
    "--sizes",
    "--impls",
    "--dtype",
    "--json",
    "--out-dir",
    "--sparse-table-rows",
  ]);
  const bool = new Set([
    "--full",
    "--help",
    "-h",
    "--many-tensors",
    "--no-many-tensors",
    "--sparse-rows",
    "--no-sparse-rows",
    "--low-bit-state",
    "--no-low-bit-state",
    "--capacity",
  ]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (bool.has(flag)) {
      if (eq > 0) throw new ArgsError(`${flag} takes no value`);
      seen.set(flag === "-h" ? "--help" : flag, true);
    } else if (valued.has(flag)) {
      let value: string | undefined;
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        if (value === undefined || (value.startsWith("--") && value.length > 2))
          throw new ArgsError(`${flag} needs a value`);
        i++;
      }
      if (seen.has(flag)) throw new ArgsError(`${flag} given more than once`);
      seen.set(flag, value);
    } else {
      throw new ArgsError(`unknown flag '${arg}' (see --help)`);
    }
  }
  if (seen.has("--help")) return { help: true };

  const profile: Profile = seen.has("--full") ? "full" : "quick";
  const get = (flag: string) => seen.get(flag) as string | undefined;

  const optimizersArg = get("--optimizers");
  const optimizers =
    optimizersArg !== undefined
      ? list("--optimizers", optimizersArg, CASE_IDS)
      : profile === "full"
        ? [...CASE_IDS]
        : [...QUICK_OPTIMIZERS];

  const sizesArg = get("--sizes");
  let sizes: number[];
  if (sizesArg !== undefined) {
    const parts = sizesArg
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (parts.length === 0) throw new ArgsError("--sizes: empty list");
    sizes = [...new Set(parts.map(parseSize))].sort((a, b) => a - b);
  } else sizes = profile === "full" ? [...FULL_SIZES] : [...QUICK_SIZES];
  const sizeLimits = profile === "quick" && sizesArg === undefined ? { ...QUICK_SIZE_LIMITS } : {};

  const implsArg = get("--impls");
  const impls = implsArg !== undefined ? list("--impls", implsArg, IMPL_IDS) : [...IMPL_IDS];

  const dtypeArg = get("--dtype") ?? "float32";
  if (dtypeArg !== "float32" && dtypeArg !== "float64") {
    throw new ArgsError(`--dtype: '${dtypeArg}' is not float32 or float64`);
  }
  for (const flag of ["--json", "--out-dir"]) {
    if (get(flag) === "") throw new ArgsError(`${flag}: empty path`);
  }
  const outDir = get("--out-dir") ?? joinPath(defaultDir, DEFAULT_OUT_DIR);
  const jsonPath = get("--json") ?? joinPath(outDir, "latest.json");

  if (seen.has("--many-tensors") && seen.has("--no-many-tensors"))
    throw new ArgsError("--many-tensors and --no-many-tensors contradict");
  const narrowed = ["--optimizers", "--sizes", "--impls", "--dtype"].some((flag) => seen.has(flag));
  const manyTensors = seen.has("--many-tensors") || (!narrowed && !seen.has("--no-many-tensors"));
  if (seen.has("--sparse-rows") && seen.has("--no-sparse-rows"))
    throw new ArgsError("--sparse-rows and --no-sparse-rows contradict");
  const sparseRows = seen.has("--sparse-rows") || (!narrowed && !seen.has("--no-sparse-rows"));
  if (seen.has("--low-bit-state") && seen.has("--no-low-bit-state"))
    throw new ArgsError("--low-bit-state and --no-low-bit-state contradict");
  const lowBitState = seen.has("--low-bit-state") || (!narrowed && !seen.has("--no-low-bit-state"));
  const capacity = seen.has("--capacity") || profile === "full";
  const tableArg = get("--sparse-table-rows");
  const sparseTableRows = tableArg === undefined ? 1 << 20 : parseSize(tableArg);

  return {
    help: false,
    profile,
    optimizers,
    sizes,
    impls,
    dtype: dtypeArg,
    jsonPath,
    outDir,
    timing: { ...TIMING[profile] },
    sizeLimits,
    manyTensors,
    sparseRows,
    sparseTableRows,
    lowBitState,
    capacity,
  };
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
