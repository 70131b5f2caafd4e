/** Writes the results JSON (the complete record of a run; the markdown and SVG derive from it). */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { BenchResults } from "../run.js";

export function toJson(r: BenchResults): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export function writeText(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
