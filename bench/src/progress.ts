/**
 * Progress on stderr: one updating line with a bar when stderr is a TTY
 * (`[#####-----] 12/40 adam 1M tfjs-wasm: timing  (14s)`), rewritten at every phase of a case
 * (setting up, checking, timing) so that it never sits still for long; one plain line per case
 * otherwise (CI logs), and a phase's line where the log has been quiet for `QUIET_MS` (the cases
 * after the main table, such as the sparse rows, are one long run of phases).
 */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatSize(n: number): string {
  if (n >= 1048576 && n % 1048576 === 0) return `${n / 1048576}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

export function bar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/** A log that has written nothing for this long gets the next phase's line. */
export const QUIET_MS = 2000;

export class Progress {
  private done = 0;
  private readonly started: number;
  private lineOpen = false;
  private label = "";
  /** When the log was last written to (not on a terminal). */
  private lastLine: number;

  constructor(
    private readonly total: number,
    private readonly out: ProgressStream,
    private readonly tty = out.isTTY === true,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.lastLine = this.started;
  }

  /** Announces the case about to run. */
  start(label: string): void {
    this.label = label;
    if (this.tty) this.redraw(label);
    else this.logLine(label);
  }

  /** Shows what the current case is doing now (in a log, only after QUIET_MS without a line). */
  phase(text: string): void {
    const label = this.label === "" ? text : `${this.label}: ${text}`;
    if (this.tty) this.redraw(label);
    else if (this.now() - this.lastLine >= QUIET_MS) this.logLine(label);
  }

  /** Marks the current case finished. */
  tick(): void {
    this.done++;
    this.label = "";
  }

  /** A message that must stay visible (n/a reasons, warnings). */
  note(message: string): void {
    this.clearLine();
    this.out.write(`${message}\n`);
    this.lastLine = this.now();
  }

  finish(): void {
    const secs = ((this.now() - this.started) / 1000).toFixed(1);
    this.clearLine();
    this.out.write(`${bar(this.done, this.total)} ${this.done}/${this.total} done in ${secs}s\n`);
  }

  private logLine(label: string): void {
    this.out.write(`${this.line(label)}\n`);
    this.lastLine = this.now();
  }

  private line(label: string): string {
    const elapsed = ((this.now() - this.started) / 1000).toFixed(0);
    return `${bar(this.done, this.total)} ${this.done}/${this.total} ${label}  (${elapsed}s)`;
  }

  private redraw(label: string): void {
    const width = this.out.columns || 100;
    this.out.write(`\r\x1b[2K${this.line(label).slice(0, Math.max(20, width - 1))}`);
    this.lineOpen = true;
  }

  private clearLine(): void {
    if (this.tty && this.lineOpen) {
      this.out.write("\r\x1b[2K");
      this.lineOpen = false;
    }
  }
}
