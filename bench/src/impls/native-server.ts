/**
 * The native reference as a long-lived child process driven over a pipe, for timing in pairs
 * against simdopt (native-paired.ts): it reads the case's data once (the parameters and gradients
 * the Wasm side starts from, zero state, as `native` does), then runs one batch per command on the
 * number of threads asked for, timed on its own side, and answers with the batch's time. Between
 * batches it waits on its input, so it takes no core while the other side of a pair is timed.
 */
import { spawn } from "node:child_process";

import type { BenchCase } from "../cases.js";
import type { BenchData } from "../data.js";
import { buildNative, nativeInput } from "./native.js";

export interface NativeServer {
  /** One untimed step, then `steps` timed ones on `threads` threads: their time in ms. */
  batch(threads: number, steps: number): Promise<number>;
  close(): void;
}

/** Starts optimizers.c's `serve` mode for this case over this data. */
export async function startNativeServer(c: BenchCase, data: BenchData): Promise<NativeServer> {
  const native = await buildNative();
  if (typeof native === "string") throw new Error(native);
  const child = spawn(native.binary, [c.id, String(data.params.length), "1", "serve"], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, OMP_PROC_BIND: "false" },
  });
  let stderr = "";
  let buffered = "";
  let failure: Error | undefined;
  const waiting: { resolve: (ms: number) => void; reject: (e: Error) => void }[] = [];
  const fail = (error: Error) => {
    failure ??= error;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on("error", (error) => fail(new Error(`native server: ${error.message} ${stderr.trim()}`)));
  child.on("error", (error) => fail(new Error(`native server did not start: ${error.message}`)));
  child.on("exit", (code) => fail(new Error(`native server exited (${code}) ${stderr.trim()}`)));
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const ms = Number(line);
      const w = waiting.shift();
      if (w === undefined) continue;
      if (Number.isFinite(ms) && ms >= 0) w.resolve(ms);
      else w.reject(new Error(`native server answered '${line}'`));
    }
  });
  child.stdin.write(nativeInput(data));
  return {
    batch(threads, steps) {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${threads} ${steps}\n`);
      });
    },
    close() {
      failure ??= new Error("native server closed");
      child.stdin.end();
    },
  };
}
