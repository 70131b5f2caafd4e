#!/usr/bin/env node
/** `simdopt-lab <command> [options]`: the optimizer lab's command line. */
import { helpOf, parseFlags, type Command } from "./args.js";
import { galleryCommand } from "./gallery.js";
import { lstmCommand } from "./lstm.js";
import { responsesCommand } from "./responses.js";
import { trainCommand } from "./train.js";
import { trajectoriesCommand } from "./trajectories.js";
import { word2vecCommand } from "./word2vec.js";

const COMMANDS: readonly Command[] = [
  trajectoriesCommand,
  responsesCommand,
  trainCommand,
  lstmCommand,
  word2vecCommand,
  galleryCommand,
];

const USAGE = `Usage: simdopt-lab <command> [options]

Pictures of simdopt's optimizers at work (SVG, and PNG where asked).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)}${c.summary.split("\n")[0]}`).join("\n")}

Run simdopt-lab <command> --help for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`simdopt-lab: unknown command '${name}' (known: ${COMMANDS.map((c) => c.name).join(", ")})\n`);
    return 1;
  }
  const values = parseFlags(command, rest);
  if (values.help) {
    process.stdout.write(helpOf(command));
    return 0;
  }
  await command.run(values);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
