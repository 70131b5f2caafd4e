// The API reference (`npm run docs`) as CI checks it: TypeDoc reads the package's entry points with
// typedoc.jsonc's validation (a doc comment on every exported name, links that resolve, every type
// the API shows exported or deliberately left out) and no warning may remain. TypeDoc runs in a
// child process (fixtures/typedoc-warnings.mjs), over the sources (with src/generated/, which the
// build writes), not dist, and writes nothing.
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runProcess } from "../../../scripts/run-process.mjs";

test("the API reference builds with no missing doc, broken link or unexported type", async () => {
  const script = fileURLToPath(new URL("./fixtures/typedoc-warnings.mjs", import.meta.url));
  const { status, stdout, stderr } = await runProcess(process.execPath, [script], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  expect(status, `TypeDoc failed:\n${stderr}`).toBe(0);
  const warnings: string[] = JSON.parse(stdout.trim().split("\n").pop()!);
  expect(warnings).toEqual([]);
});
