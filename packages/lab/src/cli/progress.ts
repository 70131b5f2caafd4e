/** A progress bar on standard error for long runs: redrawn in place on a terminal, a line per quarter otherwise. */

/** A bar for `total` units of work labelled `label`; call `update(done)`, then `finish()`. */
export class ProgressBar {
  #lastQuarter = -1;
  #lastDraw = 0;
  readonly #tty: boolean;

  constructor(
    readonly label: string,
    readonly total: number,
    readonly stream: NodeJS.WriteStream = process.stderr,
    readonly quiet = false,
  ) {
    this.#tty = Boolean(stream.isTTY);
  }

  /** Records `done` units (0..total). */
  update(done: number, detail = ""): void {
    if (this.quiet) return;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    if (this.#tty) {
      const now = Date.now();
      if (now - this.#lastDraw < 80 && done < this.total) return;
      this.#lastDraw = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(
        `\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(fraction * 100)}% ${detail}\x1b[K`,
      );
    } else {
      const quarter = Math.floor(fraction * 4);
      if (quarter > this.#lastQuarter) {
        this.#lastQuarter = quarter;
        this.stream.write(`${this.label}: ${quarter * 25}% ${detail}\n`);
      }
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (!this.quiet && this.#tty) this.stream.write("\n");
  }
}
