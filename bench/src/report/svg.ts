/**
 * The SVG chart: one panel per optimizer, throughput (M params/s, log scale) against size (log
 * scale), one line per implementation plus the bandwidth reference (dashed: the throughput the
 * memory system allows for that optimizer's traffic). Self-contained, no scripts or fonts.
 */
import { formatSize } from "../progress.js";
import type { BenchResults, CaseResult } from "../run.js";
import { sig } from "./format.js";

const COLORS: Record<string, string> = {
  "wasm-simd": "#1f77b4",
  "wasm-simd-separate": "#8c564b",
  "wasm-simd-threads": "#17becf",
  "wasm-scalar": "#2ca02c",
  js: "#ff7f0e",
  "tfjs-cpu": "#d62728",
  "tfjs-wasm": "#9467bd",
  bandwidth: "#555555",
};
const FALLBACK = ["#e377c2", "#bcbd22", "#7f7f7f"];

const PANEL_W = 420;
const PANEL_H = 280;
const M = { left: 58, right: 14, top: 30, bottom: 40 };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface Series {
  id: string;
  points: { size: number; value: number }[];
  dashed: boolean;
}

function seriesOf(c: CaseResult, ids: string[]): Series[] {
  const out: Series[] = ids.map((id) => ({
    id,
    dashed: false,
    points: c.sizes.flatMap((s) => {
      const r = s.impls.find((x) => x.impl === id);
      return r && r.status === "ok" && r.mParamsPerSec! > 0 ? [{ size: s.size, value: r.mParamsPerSec! }] : [];
    }),
  }));
  out.push({
    id: "bandwidth",
    dashed: true,
    points: c.sizes.map((s) => ({ size: s.size, value: s.size / (s.bandwidth.medianMs * 1e3) })),
  });
  return out.filter((s) => s.points.length > 0);
}

function panel(c: CaseResult, ids: string[], x0: number, y0: number, color: (id: string) => string): string {
  const series = seriesOf(c, ids);
  const sizes = c.sizes.map((s) => s.size);
  const values = series.flatMap((s) => s.points.map((p) => p.value));
  const lx0 = Math.log2(Math.min(...sizes));
  let lx1 = Math.log2(Math.max(...sizes));
  if (lx1 === lx0) lx1 = lx0 + 1;
  const ly0 = Math.floor(Math.log10(Math.min(...values)));
  let ly1 = Math.ceil(Math.log10(Math.max(...values)));
  if (ly1 === ly0) ly1 = ly0 + 1;
  const w = PANEL_W - M.left - M.right;
  const h = PANEL_H - M.top - M.bottom;
  const px = (size: number) => x0 + M.left + ((Math.log2(size) - lx0) / (lx1 - lx0)) * w;
  const py = (v: number) => y0 + M.top + h - ((Math.log10(v) - ly0) / (ly1 - ly0)) * h;
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + M.left}" y="${y0 + 18}" class="title">${esc(c.id)} <tspan class="sub">(${c.bytesPerParam} B/param)</tspan></text>`,
  );
  parts.push(`<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${w}" height="${h}" class="frame"/>`);
  for (let e = ly0; e <= ly1; e++) {
    const y = py(10 ** e);
    parts.push(`<line x1="${x0 + M.left}" x2="${x0 + M.left + w}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${x0 + M.left - 6}" y="${y + 4}" class="tick" text-anchor="end">${sig(10 ** e)}</text>`);
  }
  for (const s of sizes) {
    const x = px(s);
    parts.push(`<line x1="${x}" x2="${x}" y1="${y0 + M.top}" y2="${y0 + M.top + h}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${y0 + M.top + h + 16}" class="tick" text-anchor="middle">${formatSize(s)}</text>`);
  }
  parts.push(
    `<text x="${x0 + M.left + w / 2}" y="${y0 + PANEL_H - 6}" class="axis" text-anchor="middle">parameters</text>`,
  );
  parts.push(
    `<text transform="translate(${x0 + 14},${y0 + M.top + h / 2}) rotate(-90)" class="axis" text-anchor="middle">M params/s</text>`,
  );
  for (const s of series) {
    const pts = s.points.map((p) => `${px(p.size).toFixed(1)},${py(p.value).toFixed(1)}`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : "";
    parts.push(
      `<polyline points="${pts.join(" ")}" fill="none" stroke="${color(s.id)}" stroke-width="2"${dash}><title>${esc(s.id)}</title></polyline>`,
    );
    for (const p of s.points) {
      parts.push(
        `<circle cx="${px(p.size).toFixed(1)}" cy="${py(p.value).toFixed(1)}" r="3" fill="${color(s.id)}"><title>${esc(
          `${s.id} ${formatSize(p.size)}: ${sig(p.value)} M params/s`,
        )}</title></circle>`,
      );
    }
  }
  return parts.join("\n");
}

export function toSvg(r: BenchResults): string {
  const ids = Object.keys(r.impls);
  let extra = 0;
  const assigned = new Map<string, string>();
  const color = (id: string) => {
    if (COLORS[id]) return COLORS[id];
    if (!assigned.has(id)) assigned.set(id, FALLBACK[extra++ % FALLBACK.length]);
    return assigned.get(id)!;
  };
  const cases = r.cases.filter((c) => c.sizes.length > 0);
  const cols = Math.min(2, Math.max(1, cases.length));
  const rows = Math.ceil(cases.length / cols);
  const legendH = 56;
  const width = cols * PANEL_W;
  const height = legendH + rows * PANEL_H + 10;
  const e = r.environment;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    "<style>.title{font-size:14px;font-weight:bold}.sub{font-weight:normal;fill:#666}.tick{font-size:10px;fill:#444}" +
      ".axis{font-size:11px;fill:#333}.frame{fill:none;stroke:#999}.grid{stroke:#e4e4e4}.legend{font-size:11px}.caption{font-size:11px;fill:#555}</style>",
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="16" class="caption">${esc(
      `simdopt benchmark, ${r.dtype}: throughput per optimizer step (higher is better) · ${e.runtime} ${e.runtimeVersion} · ${e.cpuModel}`,
    )}</text>`,
  );
  const legend = [...ids, "bandwidth"];
  legend.forEach((id, i) => {
    const x = 10 + (i % 4) * 150;
    const y = 34 + Math.floor(i / 4) * 16;
    const dash = id === "bandwidth" ? ' stroke-dasharray="6 4"' : "";
    parts.push(
      `<line x1="${x}" x2="${x + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${color(id)}" stroke-width="2"${dash}/>`,
    );
    parts.push(
      `<text x="${x + 28}" y="${y}" class="legend">${esc(id === "bandwidth" ? "bandwidth reference" : id)}</text>`,
    );
  });
  cases.forEach((c, i) => {
    parts.push(panel(c, ids, (i % cols) * PANEL_W, legendH + Math.floor(i / cols) * PANEL_H, color));
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
