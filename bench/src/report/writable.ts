/**
 * Checks, before a run of many minutes, that its outputs can be written: a refusal names the
 * flag and the path, instead of a stack trace after the whole run. Creates nothing.
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** Why `dir` (a folder to be created if missing) cannot be written, or undefined when it can. */
export function folderProblem(dir: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(at).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === "ENOENT" || code === "ENOTDIR") && path.dirname(at) !== at) continue;
      return `${at}: ${code ?? String(error)}`;
    }
    if (!isDirectory) return `${at} is not a folder`;
    try {
      accessSync(at, constants.W_OK | constants.X_OK);
    } catch (error) {
      return `${at} is not writable (${(error as NodeJS.ErrnoException).code})`;
    }
    return undefined;
  }
}

/** Why the file `file` cannot be written, or undefined when it can. */
export function fileProblem(file: string): string | undefined {
  try {
    if (statSync(file).isDirectory()) return `${file} is a folder`;
  } catch {
    // absent: its folder decides
  }
  return folderProblem(path.dirname(path.resolve(file)));
}
