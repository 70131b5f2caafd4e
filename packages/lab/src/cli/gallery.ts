/** `simdopt-lab gallery`: every command with its defaults, and one HTML page and one markdown page showing every picture. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LAB_FUNCTION_NAMES } from "../functions.js";
import { escapeXml } from "../plot/svg.js";
import { GALLERY_STATE_FORMATS } from "../train/states.js";
import type { Command } from "./args.js";
import { drawLstm, lstmFlags } from "./lstm.js";
import { checkOutputFolder, type Picture } from "./output.js";
import { drawResponses } from "./responses.js";
import { drawTraining, trainingFlags } from "./train.js";
import { drawTrajectories } from "./trajectories.js";
import { drawWord2vec, type Word2vecBudget, word2vecFlags } from "./word2vec.js";

/**
 * The gallery's budget: `epochs` of digit training, `lstmEpochs` of the language model and word2vec's
 * sizes (the rest is fixed).
 */
export interface GalleryRequest {
  out: string;
  epochs: number;
  trainSize?: number;
  lstmEpochs?: number;
  word2vec: Word2vecBudget;
  quiet?: boolean;
}

/** Runs everything and writes `index.html` and `README.md` in `out`; returns the pictures. */
export async function drawGallery(request: GalleryRequest): Promise<Picture[]> {
  const { out, quiet } = request;
  const trajectories = await drawTrajectories({
    functions: [...LAB_FUNCTION_NAMES],
    out,
    png: true,
    animate: true,
    quiet,
  });
  const responses = await drawResponses({ out, png: true, quiet });
  const training = await drawTraining({
    epochs: request.epochs,
    trainSize: request.trainSize,
    hiddenSize: 128,
    batchSize: 64,
    out,
    png: true,
    quiet,
  });
  const states = await drawTraining({
    states: [...GALLERY_STATE_FORMATS],
    epochs: request.epochs,
    trainSize: request.trainSize,
    hiddenSize: 128,
    batchSize: 64,
    out,
    png: true,
    quiet,
  });
  const lstm = await drawLstm({
    epochs: request.lstmEpochs ?? 2,
    hiddenSize: 64,
    streams: 8,
    steps: 32,
    out,
    png: true,
    quiet,
  });
  const word2vec = await drawWord2vec(request.word2vec, out, true, quiet);
  const pictures = [
    ...trajectories,
    ...responses,
    ...training.pictures,
    ...states.pictures,
    ...lstm.pictures,
    ...word2vec.pictures,
  ];
  const notes: Notes = {
    Training: { table: training.table },
    "Low-bit state": { table: states.table },
    "Language model": { table: lstm.table, text: lstm.samples },
    word2vec: { table: word2vec.table },
  };
  writeFileSync(join(out, "index.html"), html(pictures, notes));
  writeFileSync(join(out, "README.md"), markdown(pictures, notes));
  return pictures;
}

const SECTIONS: Record<string, string> = {
  Trajectories: "Each optimizer's path from the same start over the function's level sets (darker is higher).",
  "Animated trajectories": "The same paths drawn step by step (SVG animation; open in a browser).",
  Responses:
    "The step each optimizer takes for a synthetic gradient signal (grey, right axis), at three values of its main hyper-parameter.",
  Training: "A 784-128-10 MLP on the mnist package's digits, the same initial weights and batches for every optimizer.",
  "Low-bit state":
    "The same MLP trained with Adam whose moments are stored in float32, bfloat16 or 8 bits (only w1 is large enough to be quantized).",
  "Language model":
    "A character-level LSTM on the opening of Coriolanus, the same initial weights and batches for every optimizer.",
  word2vec:
    "Skip-gram word vectors with negative sampling, each step's gradient given as the rows its batch touched (setSparseGrad), the same initial tables and negatives for every optimizer.",
};

/** A section's tables (markdown: paragraphs and tables between blank lines) and text (markdown) shown above its pictures. */
type Notes = Record<string, { table: string; text?: string }>;

function sections(pictures: readonly Picture[]): [string, Picture[]][] {
  const grouped = new Map<string, Picture[]>();
  for (const picture of pictures) grouped.set(picture.section, [...(grouped.get(picture.section) ?? []), picture]);
  return [...grouped];
}

function html(pictures: readonly Picture[], notes: Notes): string {
  const body = sections(pictures)
    .map(([section, items]) => {
      const figures = items
        .map(
          (p) =>
            `<figure><a href="${escapeXml(p.svg)}"><img src="${escapeXml(p.png ?? p.svg)}" alt="${escapeXml(p.title)}" loading="lazy"></a>` +
            `<figcaption>${escapeXml(p.title)}${p.caption ? ` — ${escapeXml(p.caption)}` : ""}</figcaption></figure>`,
        )
        .join("\n");
      const note = Object.hasOwn(notes, section) ? notes[section] : undefined;
      const extra = note
        ? markdownToHtml(note.table) +
          (note.text ? `<pre>${escapeXml(note.text.replaceAll("```text\n", "").replaceAll("```\n", ""))}</pre>` : "")
        : "";
      return `<section><h2>${escapeXml(section)}</h2><p>${escapeXml(SECTIONS[section] ?? "")}</p>${extra}<div class="grid ${section === "Responses" ? "small" : ""}">\n${figures}\n</div></section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>simdopt optimizer gallery</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1.5rem; }
.grid.small { grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); }
figure { margin: 0; } img { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.9rem; color: #555; }
table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
td:first-child, th:first-child, td:nth-child(2) { text-align: left; }
</style></head>
<body><h1>simdopt optimizer gallery</h1>
<p>Written by <code>npx simdopt-lab gallery</code>: every optimizer step in these pictures ran in simdopt's WebAssembly kernels.</p>
${body}
</body></html>
`;
}

/** Paragraphs and tables of the lab's markdown (the tables' text) as HTML. */
function markdownToHtml(text: string): string {
  return text
    .split("\n\n")
    .map((block) => (block.startsWith("|") ? tableToHtml(block) : `<p>${escapeXml(block.replaceAll("`", ""))}</p>`))
    .join("");
}

function tableToHtml(table: string): string {
  const rows = table.split("\n").filter((line) => line.startsWith("|") && !line.startsWith("|---"));
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(" | ")
      .map((cell) => escapeXml(cell.trim().replaceAll("`", "")));
  const [head, ...rest] = rows;
  return (
    `<table><tr>${cells(head)
      .map((c) => `<th>${c}</th>`)
      .join("")}</tr>` +
    rest
      .map(
        (row) =>
          `<tr>${cells(row)
            .map((c) => `<td>${c}</td>`)
            .join("")}</tr>`,
      )
      .join("") +
    "</table>"
  );
}

function markdown(pictures: readonly Picture[], notes: Notes): string {
  const parts = [
    "# simdopt optimizer gallery",
    "",
    "Written by `npx simdopt-lab gallery`; open `index.html` for the animations.",
    "",
  ];
  for (const [section, items] of sections(pictures)) {
    parts.push(`## ${section}`, "", SECTIONS[section] ?? "", "");
    const note = Object.hasOwn(notes, section) ? notes[section] : undefined;
    if (note) parts.push(note.table, "", ...(note.text ? [note.text, ""] : []));
    for (const p of items) parts.push(`![${p.title}](${p.png ?? p.svg})`, "");
  }
  return `${parts.join("\n")}\n`;
}

/** The `gallery` command: flags, help and what it runs. */
export const galleryCommand: Command = {
  name: "gallery",
  summary:
    "Runs trajectories (every function, still and animated), responses (every optimizer and signal), train, lstm\n" +
    "and word2vec with their defaults, writes every picture as SVG and PNG, and an index.html and a README.md showing them all.",
  flags: {
    out: { type: "string", help: "output folder", default: "lab-gallery" },
    epochs: { type: "string", help: "epochs of digit training", default: "10" },
    "train-size": { type: "string", help: "training samples (default: all 8495)" },
    "lstm-epochs": { type: "string", help: "epochs of the language model", default: "2" },
    "word2vec-words": { type: "string", help: "word2vec: words of the addresses", default: "200000" },
    "word2vec-vocab": { type: "string", help: "word2vec: vocabulary", default: "5000" },
    "word2vec-epochs": { type: "string", help: "word2vec: epochs", default: "3" },
  },
  async run(values) {
    const { epochs, trainSize } = trainingFlags(values, 10);
    const lstmEpochs = lstmFlags(values, 2, "lstm-epochs").epochs;
    const word2vec = word2vecFlags(values, "word2vec-");
    const out = checkOutputFolder("out", String(values.out));
    const pictures = await drawGallery({ out, epochs, trainSize, lstmEpochs, word2vec });
    console.log(`${pictures.length} pictures; open ${join(out, "index.html")} (or ${join(out, "README.md")})`);
  },
};
