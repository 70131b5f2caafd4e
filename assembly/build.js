// Builds every target of asconfig.json: SIMD and scalar, for a plain and a shared memory, with
// multiply-adds rounded separately or fused as torch's float32 CPU kernels fuse them.
import { readFileSync } from "node:fs";
import { main } from "assemblyscript/asc";

const { targets } = JSON.parse(readFileSync(new URL("asconfig.json", import.meta.url), "utf8"));
for (const target of Object.keys(targets)) {
  const { error, stderr } = await main(["index.ts", "--target", target]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc: target ${target} failed: ${error.message}`);
  }
}
console.log(`built ${Object.keys(targets).length} binaries: ${Object.keys(targets).join(", ")}`);
