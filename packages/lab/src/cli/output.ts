/** Writing pictures: the SVG always, the PNG (rendered by resvg) when asked. */
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

/**
 * Refuses, naming the flag, an output folder that could not be written, before any work is done
 * (a long training run must not end in a stack trace): the folder, or the nearest part of its path
 * that exists, must be a writable folder. Creates nothing.
 */
export function checkOutputFolder(flag: string, dir: string): string {
  const refuse = (why: string): never => {
    throw new Error(`simdopt-lab: --${flag} '${dir}' cannot be written: ${why}`);
  };
  for (let path = resolve(dir); ; path = dirname(path)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === "ENOENT" || code === "ENOTDIR") && dirname(path) !== path) continue;
      return refuse(`${path}: ${code ?? String(error)}`);
    }
    if (!isDirectory) refuse(`${path} is not a folder`);
    try {
      accessSync(path, constants.W_OK | constants.X_OK);
    } catch (error) {
      refuse(`${path} is not writable (${(error as NodeJS.ErrnoException).code})`);
    }
    return dir;
  }
}
