// The vitest setup file returns to the event loop between tests (scripts/yield-between-tests.mjs):
// a macrotask queued by one synchronous test has run when the next one starts. Without it, vitest 3
// runs a file's synchronous tests in one stretch, and a long stretch fails a loaded run with
// `Timeout calling "onTaskUpdate"`.
import { expect, test } from "vitest";

let ran = false;

test("a synchronous test queues a macrotask", () => {
  setImmediate(() => {
    ran = true;
  });
});

test("which has run when the next test starts", () => {
  expect(ran).toBe(true);
});
