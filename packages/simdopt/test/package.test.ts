// The package as a registry would receive it: `npm pack`, unpacked into a node_modules folder, then
// imported and required from there by a consumer that has nothing else.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { beforeAll, expect, test } from "vitest";
import { runProcess } from "../../../scripts/run-process.mjs";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));

let consumerDir: string; // holds node_modules/simdopt, unpacked from the tarball
let shipped: string[]; // the tarball's files, relative to the package

/** Runs a command to its end, failing with its stderr when it fails; returns its stdout. */
async function succeed(file: string, args: string[], cwd?: string): Promise<string> {
  // npm is a .cmd script on Windows, which only a shell runs.
  const { status, stdout, stderr } = await runProcess(file, args, { cwd, shell: process.platform === "win32" });
  expect(status, `${file} ${args.join(" ")} failed:\n${stderr}`).toBe(0);
  return stdout;
}

beforeAll(async () => {
  consumerDir = mkdtempSync(join(tmpdir(), "simdopt-consumer-"));
  // --ignore-scripts: the prepack script would rebuild dist/ while other test files read it.
  const packed = JSON.parse(
    await succeed("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", consumerDir], PACKAGE_DIR),
  );
  shipped = packed[0].files.map((file: { path: string }) => file.path).sort();
  const installed = join(consumerDir, "node_modules", "simdopt");
  mkdirSync(installed, { recursive: true });
  await succeed("tar", ["-xzf", join(consumerDir, packed[0].filename), "-C", installed, "--strip-components=1"]);
});

/** Runs `node <args>` in the consumer's folder. */
function nodeInConsumer(...args: string[]) {
  return runProcess(process.execPath, args, { cwd: consumerDir });
}

test("the tarball ships the build, the README and the licence, and no source maps", () => {
  expect(shipped).toEqual(
    expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts"]),
  );
  expect(shipped.filter((file) => !/^(dist\/.+\.(js|d\.ts)|LICENSE|README\.md|package\.json)$/.test(file))).toEqual([]);
  for (const file of shipped.filter((name) => name.endsWith(".js"))) {
    expect(readFileSync(join(consumerDir, "node_modules", "simdopt", file), "utf8"), file).not.toContain(
      "sourceMappingURL",
    );
  }
});

test("the fields a registry page and bundlers read are complete", () => {
  expect(manifest).toMatchObject({ name: "simdopt", license: "MIT", type: "module", sideEffects: ["./dist/cli/*.js"] });
  for (const field of ["description", "keywords", "repository", "homepage", "bugs", "engines", "exports"]) {
    expect(manifest[field], `package.json field '${field}'`).toBeTruthy();
  }
  expect(manifest.repository).toMatchObject({ type: "git", directory: "packages/simdopt" });
  const repository = manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
  expect(manifest.homepage.startsWith(`${repository}/`)).toBe(true);
  expect(manifest.bugs.url).toBe(`${repository}/issues`);
});

test("every bin is a shipped node script, its path already in the form npm publishes", async () => {
  for (const [name, target] of Object.entries(manifest.bin as Record<string, string>)) {
    // npm rewrites (and warns about) a path that is not already normalised, such as ./dist/...
    expect(target, `bin '${name}'`).toBe(posix.normalize(target));
    expect(target.startsWith(".")).toBe(false);
    expect(shipped).toContain(target);
    expect(readFileSync(join(PACKAGE_DIR, target), "utf8").startsWith("#!/usr/bin/env node\n"), `bin '${name}'`).toBe(
      true,
    );
  }
  const help = await nodeInConsumer(join("node_modules", "simdopt", manifest.bin["simdopt-conformance"]), "--help");
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^usage: simdopt-conformance/);
});

test("an ES module consumer imports it and steps an optimizer", async () => {
  const script = `
    import { loadRuntime, Adam } from "simdopt";
    const rt = await loadRuntime();
    const w = rt.parameter([1, -2]);
    w.setGrad([1, -1]);
    new Adam([w], { lr: 0.5 }).step(); // Adam's first step moves each value by about lr
    console.log(JSON.stringify(Array.from(w.data, (x) => x.toFixed(6))));`;
  const run = await nodeInConsumer("--input-type=module", "-e", script);
  expect(run.stderr).toBe("");
  expect(JSON.parse(run.stdout)).toEqual(["0.500000", "-1.500000"]);
});

test("a CommonJS consumer require()s it on this Node", async () => {
  const script = `
    const { loadRuntime, SGD } = require("simdopt");
    loadRuntime().then((rt) => {
      const w = rt.parameter([1, -2]);
      w.setGrad([1, -1]);
      new SGD([w], { lr: 0.5 }).step();
      console.log(JSON.stringify(Array.from(w.data)));
    });`;
  const run = await nodeInConsumer("-e", script);
  expect(run.stderr).toBe("");
  expect(JSON.parse(run.stdout)).toEqual([0.5, -1.5]);
});

test("a TypeScript consumer type-checks against the declarations with --strict at TypeScript's default target", async () => {
  // The default target is ES5: declarations must not hold what it cannot read (`#private;`).
  writeFileSync(
    join(consumerDir, "consumer.ts"),
    `import { Adam, loadRuntime, type OptimizerStateDict } from "simdopt";
    export async function train(): Promise<OptimizerStateDict> {
      const rt = await loadRuntime();
      const w = rt.parameter([1, -2]);
      w.setGrad([1, -1]);
      const optimizer = new Adam([w], { lr: 0.5 });
      optimizer.step();
      return optimizer.stateDict();
    }`,
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/lib/tsc.js");
  // --lib for the consumer's own Promise; --module and --moduleResolution to read package.json's exports.
  const args = ["--strict", "--noEmit", "--lib", "es2022,dom", "--module", "esnext", "--moduleResolution", "bundler"];
  const run = await nodeInConsumer(tsc, ...args, "consumer.ts");
  expect(run.stdout + run.stderr).toBe("");
  expect(run.status).toBe(0);
});

test("engines admits exactly the Node versions whose require() loads ES modules without a flag", () => {
  // require(esm) is on by default from Node 20.19 (backported), 22.12 (backported) and 23.0.
  const requireEsm: Record<string, boolean> = {
    "18.20.8": false,
    "20.0.0": false,
    "20.18.3": false,
    "20.19.0": true,
    "20.20.2": true,
    "21.7.3": false,
    "22.0.0": false,
    "22.11.0": false,
    "22.12.0": true,
    "23.0.0": true,
    "24.0.0": true,
    "25.1.0": true,
  };
  for (const [version, works] of Object.entries(requireEsm)) {
    expect(
      semver.satisfies(version, manifest.engines.node),
      `Node ${version} against engines '${manifest.engines.node}'`,
    ).toBe(works);
  }
  expect(semver.satisfies(process.version, manifest.engines.node), `this Node, ${process.version}`).toBe(true);
});
