/**
 * The keys of a JSON object as its text spells them, duplicates included: `JSON.parse` keeps the
 * last of two equal keys without a word, and a safetensors header that names a tensor twice must
 * be refused as such. One pass over the text, for text that `JSON.parse` has already accepted.
 */

/** The key `JSON.parse(text)` kept twice or more among the top-level keys of the object `text`, or undefined. */
export function repeatedKey(text: string, parsed: object): string | undefined {
  let count = 0;
  eachKey(text, () => count++);
  if (count === Object.keys(parsed).length) return undefined;
  // Rare: name the repeat (decoding each key costs more than counting them).
  const seen = new Set<string>();
  let repeated: string | undefined;
  eachKey(text, (start, end) => {
    const key = JSON.parse(text.slice(start, end)) as string;
    if (seen.has(key)) repeated ??= key;
    seen.add(key);
  });
  return repeated;
}

/** Calls `found` with the bounds of each top-level key (its quotes included) of the JSON object `text`. */
function eachKey(text: string, found: (start: number, end: number) => void): void {
  let depth = 0;
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) {
        found(i, end);
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      expectKey = c === OPEN_BRACE && depth === 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA && depth === 1) {
      expectKey = true;
    }
    i++;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The index just past the JSON string that opens at `start`: its first quote not escaped. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
}
