// Run by deno-threads.test.ts under Deno without --allow-read: the default `threads: "auto"` falls
// back to one thread (a worker could not load its module), and steps go on without a ThreadError;
// an explicit `threads: 2` is refused at load, saying why. Prints one JSON line:
// { threads, steps, moved, explicit }.
import { Adam, loadRuntime } from "../../dist/index.js";

const runtime = await loadRuntime();
runtime.threadMinElements = 0; // every step would be split, were there workers
const p = runtime.parameter(4096);
const opt = new Adam([p]);
let steps = 0;
for (let i = 0; i < 4; i++) {
  p.grad.fill(1);
  opt.step();
  steps++;
  await new Promise((resolve) => setTimeout(resolve, 100)); // time for a failing worker to report
}
let explicit = "";
try {
  await loadRuntime({ threads: 2 });
} catch (error) {
  explicit = (error as Error).message;
}
console.log(JSON.stringify({ threads: runtime.threads, steps, moved: p.data[0] !== 0, explicit }));
