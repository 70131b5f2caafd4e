// The README's count of the benchmark's cases is read from the code.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { CASES } from "../src/cases.js";

test("the README's --full line counts every case", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const stated = /npm run bench -- --full +# all (\d+) cases/.exec(readme);
  expect(stated, "the README's `npm run bench -- --full` line").not.toBeNull();
  expect(Number(stated![1])).toBe(CASES.length);
});
