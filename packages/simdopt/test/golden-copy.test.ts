// golden/ is a copy of ../shared/golden, so that a clone with nothing beside it passes its tests. The
// copy stays byte-identical to its source, every file in both directions, but for the folders it does
// not carry (GOLDEN_NOT_CARRIED, 24 MB of data read from ../shared/golden where it is present);
// golden-copy.sha256 (the `sha256sum` format) records the digests of every file of the source, which
// check the copy where the source is absent.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { expect, test } from "vitest";
import { GOLDEN_COPY_DIR, GOLDEN_NOT_CARRIED, GOLDEN_SOURCE_DIR } from "./helpers.js";

const UPDATE =
  "to update: rm -r golden && cp -r ../shared/golden golden && rm -r golden/{frontier,lowbit}, then regenerate " +
  "packages/simdopt/test/golden-copy.sha256 with (cd ../shared/golden && find . -type f | sort | sed 's|^./||' | xargs sha256sum)";

/** True for a file of a folder that the copy does not carry. */
const notCarried = (file: string): boolean => GOLDEN_NOT_CARRIED.some((folder) => file.startsWith(`${folder}/`));

/** The digests of the files that the copy carries. */
const carried = (digests: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(digests).filter(([file]) => !notCarried(file)));

/** Every file under `dir`, as a path relative to it with forward slashes, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

/** SHA-256 (hex) of every file under `dir`, by relative path. */
function digestsOf(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesUnder(dir).map((file) => [
      file,
      createHash("sha256")
        .update(readFileSync(join(dir, file)))
        .digest("hex"),
    ]),
  );
}

/** The digests recorded in golden-copy.sha256. */
function recordedDigests(): Record<string, string> {
  const text = readFileSync(new URL("./golden-copy.sha256", import.meta.url), "utf8");
  return Object.fromEntries(
    text
      .trim()
      .split("\n")
      .map((line) => {
        const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
        if (match === null) throw new Error(`golden-copy.sha256: not a sha256sum line: '${line}'`);
        return [match[2], match[1]];
      }),
  );
}

test("golden/ is byte-identical to ../shared/golden, or without it beside the repository to the digests recorded from it", () => {
  const besideRepository = existsSync(GOLDEN_SOURCE_DIR);
  const source = besideRepository ? digestsOf(GOLDEN_SOURCE_DIR) : recordedDigests();
  // Equal digests for the same set of paths: every file of each folder is in the other, with the same bytes.
  expect(
    digestsOf(GOLDEN_COPY_DIR),
    `golden/ differs from ${besideRepository ? "../shared/golden" : "golden-copy.sha256"}; ${UPDATE}`,
  ).toEqual(carried(source));
  // The recorded digests stay those of the source, so that a clone alone checks what a clone beside it checks.
  if (besideRepository) expect(recordedDigests(), `golden-copy.sha256 is out of date; ${UPDATE}`).toEqual(source);
  expect(Object.keys(source)).toEqual(
    expect.arrayContaining(["README.md", "torch2/README.md", "next/README.md", "presets/README.md"]),
  );
  // Each folder left out is one the source has: a renamed folder cannot silently drop out of the copy.
  for (const folder of GOLDEN_NOT_CARRIED) {
    expect(
      Object.keys(source).some((file) => file.startsWith(`${folder}/`)),
      `${folder}/ in the source`,
    ).toBe(true);
  }
});
