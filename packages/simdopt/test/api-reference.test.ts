// The API reference (`npm run docs`) as CI checks it: TypeDoc reads the package's entry points with
// typedoc.jsonc's validation (a doc comment on every exported name, links that resolve, every type
// the API shows exported or deliberately left out) and no warning may remain. It reads the sources
// (with src/generated/, which the build writes), not dist, and writes nothing.
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  Application,
  Logger,
  LogLevel,
  type MinimalNode,
  type MinimalSourceFile,
  TSConfigReader,
  TypeDocReader,
} from "typedoc";
import { expect, test } from "vitest";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Keeps TypeDoc's warnings and errors, each with the file and line it names, instead of printing them. */
class CollectingLogger extends Logger {
  readonly messages: string[] = [];

  override log(message: string, level: LogLevel): void {
    if (level >= LogLevel.Warn) this.messages.push(message);
  }

  protected override addContext(
    message: string,
    _level: Exclude<LogLevel, LogLevel.None>,
    ...at: [MinimalNode?] | [number, MinimalSourceFile]
  ): string {
    const [file, pos] = typeof at[0] === "number" ? [at[1], at[0]] : [at[0]?.getSourceFile(), at[0]?.getStart() ?? 0];
    if (file === undefined) return message;
    const { line } = file.getLineAndCharacterOfPosition(pos);
    return `${path.relative(packageDir, file.fileName)}:${line + 1}: ${message}`;
  }
}

test("the API reference builds with no missing doc, broken link or unexported type", async () => {
  const app = await Application.bootstrapWithPlugins(
    { options: path.join(packageDir, "typedoc.jsonc"), emit: "none" },
    [new TypeDocReader(), new TSConfigReader()],
  );
  expect(app.logger.hasErrors(), "typedoc.jsonc was read without error").toBe(false);
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  expect(project, `TypeDoc could not read the sources:\n${logger.messages.join("\n")}`).toBeDefined();
  app.validate(project!);
  expect(logger.messages).toEqual([]);
});
