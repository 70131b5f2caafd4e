/** What the JSON records about the machine, the JS runtime and the libraries. */
import { createRequire } from "node:module";
import { readFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";

import { v8FlagsSet } from "./relaxed-simd.js";

export interface Environment {
  runtime: "node" | "deno" | "bun" | "unknown";
  runtimeVersion: string;
  v8: string | null;
  platform: string;
  arch: string;
  cpuModel: string;
  /** Logical CPUs the OS reports, and os.availableParallelism() (what this process may use). */
  cpus: number;
  threads: number;
  totalMemoryGiB: number;
  /** V8 flags the benchmark turned on for itself (relaxed-simd.ts). */
  v8Flags: string[];
}

export function environment(): Environment {
  const g = globalThis as unknown as { Deno?: { version: { deno: string; v8: string } }; Bun?: { version: string } };
  const cpus = os.cpus();
  let runtime: Environment["runtime"] = "unknown";
  let runtimeVersion = "";
  if (g.Deno !== undefined) {
    runtime = "deno";
    runtimeVersion = g.Deno.version.deno;
  } else if (g.Bun !== undefined) {
    runtime = "bun";
    runtimeVersion = g.Bun.version;
  } else if (typeof process?.versions?.node === "string") {
    runtime = "node";
    runtimeVersion = process.versions.node;
  }
  return {
    runtime,
    runtimeVersion,
    v8: g.Deno?.version.v8 ?? process.versions?.v8 ?? null,
    platform: os.platform(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model?.trim() || "unknown",
    cpus: cpus.length,
    threads: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    v8Flags: [...v8FlagsSet],
  };
}

/** The installed version of a package, found by walking up from its resolved entry point. */
export function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    let dir = path.dirname(require.resolve(name));
    for (let i = 0; i < 6; i++) {
      const file = path.join(dir, "package.json");
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      }
      dir = path.dirname(dir);
    }
  } catch {
    // fall through
  }
  return "unknown";
}

export function versions(): Record<string, string> {
  const names = [
    "simdopt",
    "tinybench",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
  ];
  return Object.fromEntries(names.map((n) => [n, packageVersion(n)]));
}
