/**
 * The keys of a JSON object as its text spells them, duplicates included: `JSON.parse` keeps the
 * last of two equal keys without a word, and a safetensors header that names a tensor twice must
 * be refused as such. One pass over the text, for text that `JSON.parse` has already accepted.
 */

/** The top-level keys of the JSON object `text`, in order, each as often as it occurs. */
export function objectKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(i, end)) as string);
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === "{" || c === "[") {
      depth++;
      expectKey = c === "{" && depth === 1;
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      expectKey = true;
    }
    i++;
  }
  return keys;
}

/** The index just past the JSON string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** The first key that occurs twice among `keys`, or undefined. */
export function firstRepeated(keys: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}
