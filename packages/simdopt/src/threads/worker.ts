/**
 * The entry of a worker thread in browsers: a module Web Worker (host-web.ts starts it) whose first
 * message is the init; a failure to start is posted back. Bundlers emit it with its imports.
 */
import type { WorkerInit } from "./control.js";
import { serve } from "./worker-serve.js";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<WorkerInit>) => void) | null;
  close(): void;
  postMessage(message: unknown): void;
};
scope.onmessage = (event) => {
  scope.onmessage = null;
  serve(event.data).then(
    () => scope.close(),
    (error: unknown) => {
      scope.postMessage({ failed: error instanceof Error ? error.message : String(error) });
      scope.close();
    },
  );
};
