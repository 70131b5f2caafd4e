// The figures the READMEs and the package's description state, read from the code: an optimizer
// added without being named there fails here.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import * as simdopt from "../dist/index.js";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");
/** A markdown file's first paragraph after its title. */
const firstParagraph = (markdown: string) => markdown.split(/\n\s*\n/)[1];

/** The class of every optimizer of its own (not a preset): `adam` -> `Adam`, `sgd` -> `SGD`. */
const classNames = simdopt.OPTIMIZER_NAMES.filter((name) => !name.includes(":")).map((name) => {
  const found = Object.keys(simdopt).filter((key) => key.toLowerCase() === name);
  expect(found, `the exported class of '${name}'`).toHaveLength(1);
  return found[0];
});

test.each([
  ["the package's description", JSON.parse(read("../package.json")).description as string],
  ["the package README's first paragraph", firstParagraph(read("../README.md"))],
  ["the repository README's first paragraph", firstParagraph(read("../../../README.md"))],
])("%s names every optimizer", (_where, text) => {
  expect(classNames.length).toBeGreaterThanOrEqual(15);
  expect(classNames.filter((name) => !new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
});
