// Builds every binary of the matrix below from the same source, after generating the kernels'
// plumbing (generate.js), spread over the machine's cores. The axes:
//   instructions  simd (128-bit vectors, then a scalar tail) or scalar
//   memory        plain, or shared (a SharedArrayBuffer that worker threads can share)
//   multiplyAdd   separate (each operation rounded), fused (rounded once, emulated exactly), or
//                 relaxed (rounded once with relaxed SIMD's madd; SIMD only, used after a probe)
// A binary's name joins its axes: simd, simd-shared-fused, scalar-shared, simd-relaxed, ...
// build/binaries.json lists them with their axes for the package.
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { main } from "assemblyscript/asc";

const MULTIPLY_ADD = { separate: 0, fused: 1, relaxed: 2 };

function matrix() {
  const binaries = [];
  for (const instructions of ["simd", "scalar"]) {
    for (const memory of ["plain", "shared"]) {
      for (const multiplyAdd of ["separate", "fused", "relaxed"]) {
        if (multiplyAdd === "relaxed" && instructions !== "simd") continue;
        const name = [instructions, memory === "shared" && "shared", multiplyAdd !== "separate" && multiplyAdd]
          .filter(Boolean)
          .join("-");
        binaries.push({ name, instructions, memory, multiplyAdd });
      }
    }
  }
  return binaries;
}

async function build({ name, instructions, memory, multiplyAdd }) {
  const features = [
    instructions === "simd" && "simd",
    multiplyAdd === "relaxed" && "relaxed-simd",
    memory === "shared" && "threads",
  ].filter(Boolean);
  const args = [
    "index.ts",
    "--config",
    "asconfig.json",
    "--outFile",
    `build/${name}.wasm`,
    "--use",
    `MULTIPLY_ADD=${MULTIPLY_ADD[multiplyAdd]}`,
    ...(features.length ? ["--enable", features.join(",")] : []),
    ...(memory === "shared" ? ["--sharedMemory", "--maximumMemory", "65536"] : []),
    ...(name === "simd" || name === "scalar" ? ["--textFile", `build/${name}.wat`] : []),
  ];
  const { error, stderr } = await main(args);
  if (error) throw new Error(`asc: binary ${name} failed: ${error.message}\n${stderr.toString()}`);
}

if (isMainThread) {
  await import("./generate.js");
  const binaries = matrix();
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  const shares = Array.from({ length: workers }, (_, w) => binaries.filter((_, i) => i % workers === w));
  await Promise.all(
    shares.map(
      (share) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: share });
          worker.on("error", reject);
          worker.on("exit", (code) =>
            code === 0 ? resolve() : reject(new Error(`a build worker exited with ${code}`)),
          );
        }),
    ),
  );
  writeFileSync(new URL("build/binaries.json", import.meta.url), `${JSON.stringify(binaries, null, 2)}\n`);
  console.log(`built ${binaries.length} binaries: ${binaries.map((b) => b.name).join(", ")}`);
} else {
  // Each binary takes tens of seconds to a minute: say when one is done.
  for (const binary of workerData) {
    await build(binary);
    console.log(`built ${binary.name}`);
  }
}
