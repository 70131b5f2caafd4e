// A setup file of every workspace's vitest config. Vitest 3 runs the synchronous tests of a file
// one after another without returning to the event loop, so meanwhile the test worker cannot read
// the main process's replies to its progress reports; when such a stretch outlasts vitest's fixed
// 60 s RPC timeout (on a loaded machine 10 s of tests can take a minute), the run fails with
// `Timeout calling "onTaskUpdate"` although every test passed. Returning to the event loop before
// each test bounds the stretch to the longest single test.
import { beforeEach } from "vitest";

beforeEach(() => new Promise((resolve) => setImmediate(resolve)));
