// Every ```js block of the READMEs runs as written: as an ES module of its own, in Node, importing
// the built package ("simdopt" resolves from this workspace to packages/simdopt).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runProcess } from "../../scripts/run-process.mjs";

const ROOT = new URL("../../", import.meta.url);
const READMES = ["README.md", "packages/simdopt/README.md"];
const WORKSPACE = fileURLToPath(new URL("..", import.meta.url));

/** The ```js blocks of a markdown text, with the line of their opening fence (1-based). */
function jsBlocks(markdown) {
  const blocks = [];
  let open;
  markdown.split("\n").forEach((line, index) => {
    if (open === undefined && /^```js\s*$/.test(line)) open = { line: index + 1, code: [] };
    else if (open !== undefined && /^```\s*$/.test(line)) {
      blocks.push({ line: open.line, code: open.code.join("\n") });
      open = undefined;
    } else if (open !== undefined) open.code.push(line);
  });
  if (open !== undefined) throw new Error(`unclosed \`\`\`js block at line ${open.line}`);
  return blocks;
}

const snippets = READMES.flatMap((readme) =>
  jsBlocks(readFileSync(new URL(readme, ROOT), "utf8")).map((block) => ({ name: `${readme}:${block.line}`, ...block })),
);

test("the block extractor finds blocks and their lines", () => {
  expect(jsBlocks("text\n```js\nconst a = 1;\n```\n```sh\nls\n```\n\n```js\nb();\nc();\n```\n")).toEqual([
    { line: 2, code: "const a = 1;" },
    { line: 9, code: "b();\nc();" },
  ]);
  for (const readme of READMES)
    expect(
      snippets.some((s) => s.name.startsWith(`${readme}:`)),
      readme,
    ).toBe(true);
});

test.each(snippets)("$name runs", async ({ name, code }) => {
  const run = await runProcess(process.execPath, ["--input-type=module", "-"], { cwd: WORKSPACE, input: code });
  expect(run.status, `the js block at ${name} failed (exit status ${run.status}):\n${run.stderr}`).toBe(0);
});
