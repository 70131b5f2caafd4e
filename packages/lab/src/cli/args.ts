/** Command-line parsing shared by the commands: node:util's parseArgs plus checked conversions. */
import { parseArgs } from "node:util";

/** A flag of a command: its type, default and one line of help. */
export interface Flag {
  type: "string" | "boolean";
  help: string;
  default?: string | boolean;
}

/** A command: name, summary, flags and what it does. */
export interface Command {
  name: string;
  summary: string;
  flags: Record<string, Flag>;
  run(values: Record<string, string | boolean | undefined>): Promise<void>;
}

/** The help text of `command`. */
export function helpOf(command: Command): string {
  const rows = Object.entries({ ...command.flags, help: { type: "boolean", help: "show this help" } as Flag }).map(
    ([name, flag]) => {
      const left = `  --${name}${flag.type === "string" ? " VALUE" : ""}`;
      const def = flag.default === undefined || flag.default === false ? "" : ` (default: ${String(flag.default)})`;
      return `${left.padEnd(26)}${flag.help}${def}`;
    },
  );
  return `Usage: simdopt-lab ${command.name} [options]\n\n${command.summary}\n\nOptions:\n${rows.join("\n")}\n`;
}

/** Parses `argv` for `command`; unknown flags throw a TypeError naming the flag. */
export function parseFlags(command: Command, argv: string[]): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(
    Object.entries(command.flags).map(([name, flag]) => [
      name,
      { type: flag.type, ...(flag.default === undefined ? {} : { default: flag.default }) },
    ]),
  ) as Record<string, { type: "string" | "boolean"; default?: string | boolean }>;
  options.help = { type: "boolean" };
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (cause) {
    throw new TypeError(`simdopt-lab ${command.name}: ${(cause as Error).message} (see --help)`);
  }
}

/** A flag's value as a finite number, or a RangeError naming the flag and the value. */
export function numberFlag(
  name: string,
  value: string | boolean | undefined,
  check: (n: number) => boolean = Number.isFinite,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n) || !check(n)) {
    throw new RangeError(`simdopt-lab: --${name} got '${String(value)}', which is out of range`);
  }
  return n;
}

/** A comma-separated list flag, or undefined. */
export function listFlag(value: string | boolean | undefined): string[] | undefined {
  return typeof value === "string"
    ? value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined;
}
