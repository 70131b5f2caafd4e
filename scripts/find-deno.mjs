// Finds the deno binary of the `deno` npm package without relying on its install script (which
// npm may not run): the platform package's binary first, then the wrapper package's, looking
// up from `fromDir` through every node_modules folder. $DENO_BIN overrides.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * @param {string} fromDir a folder inside the repository
 * @returns {string | undefined} the path of the deno executable, if one is installed
 */
export function findDeno(fromDir) {
  if (process.env.DENO_BIN && existsSync(process.env.DENO_BIN)) return process.env.DENO_BIN;
  const exe = process.platform === "win32" ? "deno.exe" : "deno";
  const platformPackage = `@deno/${process.platform}-${process.arch}${process.platform === "linux" ? "-glibc" : ""}`;
  const require = createRequire(path.join(fromDir, "package.json"));
  const candidates = [];
  for (const name of [platformPackage, "deno"]) {
    try {
      candidates.push(path.join(path.dirname(require.resolve(`${name}/package.json`)), exe));
    } catch {
      // not installed under that name
    }
  }
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, "node_modules", platformPackage, exe), path.join(dir, "node_modules", "deno", exe));
    if (path.dirname(dir) === dir) break;
  }
  return candidates.find((candidate) => existsSync(candidate));
}
