/**
 * Removes the `#private;` line TypeScript writes into the declarations of a class that has
 * ECMAScript private fields (`#pool`, `#brand`): a consumer compiling for ES5, TypeScript's default
 * target, cannot read it (TS18028, "Private identifiers are only available when targeting
 * ECMAScript 2015 and higher"), even with nothing of its own that is private. The fields stay
 * private at run time; the line only told the compiler that the class has some, and the classes
 * that carry it also declare other private members, which keep them nominal.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PRIVATE_NAMES = /^[ \t]*#private;\r?\n/gm;

function strip(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) strip(path);
    else if (entry.name.endsWith(".d.ts")) {
      const text = readFileSync(path, "utf8");
      const stripped = text.replace(PRIVATE_NAMES, "");
      if (stripped !== text) writeFileSync(path, stripped);
    }
  }
}

strip(fileURLToPath(new URL("../dist", import.meta.url)));
