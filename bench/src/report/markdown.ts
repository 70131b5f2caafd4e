/** The results as markdown: a header with the setup, then one table per optimizer. */
import type { LayoutResult } from "../many-tensors.js";
import type { CapacityResult, LowBitResult } from "../low-bit-state.js";
import type { NativePairSubject } from "../native-paired.js";
import type { PairedRatio } from "../paired.js";
import type { SparseRowsResult } from "../sparse-rows.js";
import { formatSize } from "../progress.js";
import type { BenchResults, CaseResult } from "../run.js";
import { pct, ratio, sig } from "./format.js";
import { threadLines } from "./threads.js";

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    `| ${r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(" | ")} |`;
  const sep = `|${widths.map((w, c) => (c < 2 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`;
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join("\n");
}

export function caseTable(c: CaseResult): string {
  const rows: string[][] = [
    [
      "size",
      "implementation",
      "median ms/step",
      "min–max ms",
      "M params/s",
      "GB/s",
      "vs js",
      "vs best TF.js",
      "% bandwidth",
      "x native",
      "x native 2t",
    ],
  ];
  for (const s of c.sizes) {
    const paired = (subject: NativePairSubject) => pairedCell(s.nativePaired?.[subject]);
    // Each row's paired ratio against the native implementation it is paired with (native-paired.ts).
    const xNative = (impl: string): [string, string] =>
      impl === "wasm-simd" || impl === "native-2t"
        ? [paired(impl), ""]
        : impl === "wasm-simd-threads"
          ? ["", paired(impl)]
          : ["", ""];
    for (const r of s.impls) {
      if (r.status !== "ok") {
        rows.push([formatSize(s.size), r.impl, r.status, "", "", "", "", "", "", "", ""]);
        continue;
      }
      rows.push([
        formatSize(s.size),
        r.impl,
        sig(r.medianMs),
        `${sig(r.minMs)}–${sig(r.maxMs)}`,
        sig(r.mParamsPerSec),
        sig(r.gbPerSec),
        ratio(r.speedupVsJs),
        ratio(r.speedupVsBestTfjs),
        pct(r.pctBandwidth),
        ...xNative(r.impl),
      ]);
    }
    const b = s.bandwidth;
    rows.push([
      formatSize(s.size),
      "*bandwidth ref*",
      sig(b.medianMs),
      `${sig(b.minMs)}–${sig(b.maxMs)}`,
      sig(s.size / (b.medianMs * 1e3)),
      sig(b.gbPerSec),
      "",
      "",
      "100%",
      paired("bandwidth"),
      paired("bandwidth-2t"),
    ]);
  }
  return table(rows);
}

/** A paired ratio with the smallest and largest of its pairs' ratios, or nothing. */
export function pairedCell(p: PairedRatio | undefined): string {
  return p === undefined ? "" : `${ratio(p.ratio)} (${sig(p.min)}–${sig(p.max)})`;
}

/** One line per implementation the profile skipped in this case: where, and why. */
export function skippedLines(c: CaseResult): string[] {
  const byImpl = new Map<string, { sizes: string[]; reason: string }>();
  for (const s of c.sizes) {
    for (const r of s.impls.filter((x) => x.status === "skipped")) {
      const entry = byImpl.get(r.impl) ?? { sizes: [], reason: r.reason ?? "" };
      entry.sizes.push(formatSize(s.size));
      byImpl.set(r.impl, entry);
    }
  }
  return [...byImpl].map(([impl, { sizes, reason }]) => `- \`${impl}\` at ${sizes.join(", ")}: ${reason}.`);
}

export function toMarkdown(r: BenchResults): string {
  const e = r.environment;
  const out: string[] = [];
  out.push(`# simdopt benchmark (${r.profile} profile, ${r.dtype})`, "");
  out.push(
    `${r.date} · ${e.runtime} ${e.runtimeVersion} · ${e.cpuModel} · ${e.threads} thread${e.threads === 1 ? "" : "s"} · ` +
      `simdopt ${r.versions.simdopt} · TF.js ${r.versions["@tensorflow/tfjs-core"]} · tinybench ${r.versions.tinybench} · ` +
      `wall time ${sig(r.wallTimeSec)} s`,
    "",
  );
  const binaries = Object.entries(r.impls)
    .map(([id, info]) => `\`${id}\`: ${describeImpl(info)}`)
    .join("; ");
  out.push(`Implementations: ${binaries}.`, "");
  out.push(
    'Median time per optimizer step; "vs js" and "vs best TF.js" are speed-ups (higher is faster); ' +
      '"% bandwidth" compares with a Wasm read-modify-write kernel moving the same bytes over the same buffers, measured in the same run; ' +
      '"x native" and "x native 2t" are speeds relative to torch\'s formulas in C on 1 and 2 threads (`native`, `native-2t`), timed in alternating pairs with them over the same data: `wasm-simd` and `native-2t` against `native`, `wasm-simd-threads` against `native-2t`, the bandwidth reference on one thread against `native` and on two against `native-2t`; the median of the pairs\' ratios, their smallest and largest in brackets.',
    "",
    "**TF.js is compared on speed only**: its optimizer formulas differ from torch.optim's (epsilon placement and defaults; " +
      "Adagrad, Adadelta and RMSprop variants), so its results are only checked to be finite and to have moved. " +
      "wasm-* results are checked bit-exact against simdopt's reference and js results to a relative tolerance before timing.",
    "",
  );
  for (const c of r.cases) {
    const opts = JSON.stringify(c.options).replace(/"/g, "").replace(/,/g, ", ").replace(/:/g, ": ");
    out.push(`## ${c.id}`, "");
    out.push(
      `\`${c.optimizer}\` ${opts} · ${c.bytesPerParam} bytes moved per parameter (${c.traffic}) · ` +
        (c.tfjs ? `TF.js: \`tf.train.${c.tfjs.name}\`` : "TF.js: n/a (no such optimizer)"),
      "",
    );
    out.push(caseTable(c), "");
    const skipped = skippedLines(c);
    if (skipped.length > 0) out.push("Skipped cells:", "", ...skipped, "");
  }
  out.push(...threadLines(r));
  if (r.manyTensors !== null) out.push(...manyTensorLines(r.manyTensors));
  if (r.sparseRows !== null && r.sparseRows !== undefined) out.push(...sparseRowLines(r.sparseRows));
  if (r.lowBitState) out.push(...lowBitLines(r.lowBitState));
  if (r.capacity) out.push(...capacityLines(r.capacity));
  out.push("## Notes", "", ...r.notes.map((n) => `- ${n}`), "");
  return out.join("\n");
}

function describeImpl(info: Record<string, unknown>): string {
  if (info.error) return `n/a (${String(info.error)})`;
  if (info.library === "simdopt")
    return `simdopt, binary ${String(info.build ?? info.binary ?? "?")}, ${String(info.rounding ?? "?")} rounding`;
  if (info.library === "@tensorflow/tfjs-core") {
    const threads = info.threads === false ? "single-threaded" : `${String(info.threads)} threads`;
    return `TF.js ${String(info.backend).replace("tfjs-", "")} backend${info.backend === "tfjs-wasm" ? `, SIMD ${info.simd ? "on" : "off"}, ${threads}` : ""}`;
  }
  return String(info.library ?? "?");
}

/** The sparse table: rows kernels on the touched rows against the dense step over the whole table. */
function sparseRowLines(results: SparseRowsResult[]): string[] {
  if (results.length === 0) return [];
  const { rows, dim } = results[0];
  return [
    "## Sparse rows",
    "",
    `A ${rows.toLocaleString("en-US")} x ${dim} float32 table, one thread: the step of a row-sparse gradient (\`setSparseGrad\`) against the dense step of the same optimizer over the table; "ns/row in cache" is the dense step over a 1,024-row table and "sparse ns/row in cache" the sparse step of 512 of its rows.`,
    "",
    table([
      [
        "sparse",
        "touched rows",
        "ms",
        "dense",
        "dense ms",
        "speed-up",
        "bytes",
        "dense bytes",
        "GB/s",
        "dense GB/s",
        "ns/touched row",
        "ns/row in cache",
        "sparse ns/row in cache",
      ],
      ...results.map((s) => [
        s.optimizer,
        s.touchedRows.toLocaleString("en-US"),
        sig(s.sparse.medianMs),
        s.dense,
        sig(s.denseStep.medianMs),
        `${sig(s.speedup)}x`,
        sig(s.sparseBytes),
        sig(s.denseBytes),
        sig(s.sparseGBPerSec),
        sig(s.denseGBPerSec),
        sig(s.nsPerTouchedRow),
        sig(s.nsPerCachedRow),
        sig(s.nsPerCachedSparseRow),
      ]),
    ]),
    "",
  ];
}

/** The many-tensor table: one group of many small tensors against one tensor of the same size. */
/** Adam's step with each state format beside float32 Adam's at the same size. */
function lowBitLines(results: LowBitResult[]): string[] {
  const withThreads = results.some((r) => r.twoThreads !== null);
  return [
    "## Low-bit state",
    "",
    "Adam (lr 1e-3) on one float32 tensor, simdopt's default runtime on one thread, with its moments stored as float32, bfloat16, 8-bit codes (blocks of 256), 4-bit codes (blocks of 128) or float8_e4m3fn codes (blocks of 256); bytes per parameter with float32 parameters and gradients. The formats share one memory per size; vs float32 is timed in alternating pairs against float32 Adam (the median of the pairs' ratios, their smallest and largest in brackets)." +
      (withThreads
        ? " 2t / 1t: two threads over one for the same format, in pairs, beside the bandwidth reference with its traffic (bandwidth 2t / 1t)."
        : ""),
    "",
    table([
      [
        "state",
        "params",
        "bytes moved",
        "bytes resident",
        "ms",
        "M params/s",
        "GB/s",
        "vs float32",
        ...(withThreads ? ["2t / 1t", "bandwidth 2t / 1t"] : []),
      ],
      ...results.map((r) => [
        r.state,
        formatSize(r.size),
        sig(r.bytesMoved),
        sig(r.bytesResident),
        sig(r.measurement.medianMs),
        sig(r.mParamsPerSec),
        sig(r.gbPerSec),
        r.paired === null ? `${r.vsFloat32.toFixed(2)}x` : pairedCell(r.paired),
        ...(withThreads ? [pairedCell(r.twoThreads ?? undefined), pairedCell(r.bandwidthTwoThreads ?? undefined)] : []),
      ]),
    ]),
    "",
  ];
}

/** The parameters with Adam state one 4 GiB memory holds, per state format. */
function capacityLines(results: CapacityResult[]): string[] {
  return [
    "## Capacity of one 4 GiB memory",
    "",
    "Float32 parameters with their gradients and Adam state, allocated in one runtime until its memory cannot grow (tensors of 16M, then 1M, then 64K).",
    "",
    table([
      ["state", "bytes resident per parameter", "parameters"],
      ...results.map((r) => [r.state, sig(r.bytesResident), r.params.toLocaleString("en-US")]),
    ]),
    "",
  ];
}

function manyTensorLines(layouts: LayoutResult[]): string[] {
  return [
    "## Many tensors",
    "",
    "Adam, float32, simdopt's default runtime on one thread: one parameter group stepped as one Wasm call, whatever its number of tensors.",
    "",
    table([
      ["tensors", "M params/s", "vs one tensor"],
      ...layouts.map((l) => [l.label, sig(l.mParamsPerSec), `${l.vsOneTensor.toFixed(2)}x`]),
    ]),
    "",
  ];
}
