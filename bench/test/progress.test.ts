import { describe, expect, it } from "vitest";

import { Progress } from "../src/progress.js";

function stream(isTTY: boolean) {
  let text = "";
  return {
    isTTY,
    columns: 200,
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

describe("progress", () => {
  it("on a terminal, rewrites its line at every phase of a case, with the elapsed time", () => {
    const out = stream(true);
    const progress = new Progress(4, out);
    progress.start("adam 16M tfjs-wasm");
    progress.phase("setting up");
    progress.phase("timing");
    progress.tick();
    progress.finish();
    const frames = out.text.split("\r\x1b[2K").filter((frame) => frame !== "");
    expect(frames.slice(0, 3)).toEqual([
      "[--------------------] 0/4 adam 16M tfjs-wasm  (0s)",
      "[--------------------] 0/4 adam 16M tfjs-wasm: setting up  (0s)",
      "[--------------------] 0/4 adam 16M tfjs-wasm: timing  (0s)",
    ]);
    expect(frames.at(-1)).toMatch(/^\[#####---------------\] 1\/4 done in \d+\.\ds\n$/);
  });

  it("in a log, writes a phase's line only after two quiet seconds", () => {
    const out = stream(false);
    let clock = 0;
    const progress = new Progress(1, out, false, () => clock);
    progress.phase("SparseAdam over 1M x 64: timing");
    clock = 1999;
    progress.phase("still quiet enough");
    clock = 2000;
    progress.phase("SparseAdam, 1049 rows: timing");
    clock = 3999;
    progress.phase("too soon after the last line");
    expect(out.text).toBe("[--------------------] 0/1 SparseAdam, 1049 rows: timing  (2s)\n");
  });

  it("in a log, writes one line per case and no phases", () => {
    const out = stream(false);
    const progress = new Progress(2, out);
    progress.start("adam 4K js");
    progress.phase("timing");
    progress.tick();
    progress.note("tfjs-cpu skipped above 1M in the quick profile");
    expect(out.text).toBe(
      "[--------------------] 0/2 adam 4K js  (0s)\ntfjs-cpu skipped above 1M in the quick profile\n",
    );
  });
});
