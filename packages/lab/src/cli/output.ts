/** Writing pictures: the SVG always, the PNG (rendered by resvg) when asked. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { svgToPng } from "../plot/png.js";

/** A written picture, as the gallery lists it (file names relative to the output folder). */
export interface Picture {
  readonly section: string;
  readonly title: string;
  readonly svg: string;
  readonly png?: string;
  readonly caption?: string;
}

/** Writes `svg` as `<name>.svg` in `dir` (and `<name>.png` when `png`); returns the picture's entry. */
export function writePicture(
  dir: string,
  name: string,
  svg: string,
  png: boolean,
  entry: Omit<Picture, "svg" | "png">,
): Picture {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.svg`), svg);
  if (png) writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
  return { ...entry, svg: `${name}.svg`, ...(png ? { png: `${name}.png` } : {}) };
}
