/**
 * @fileoverview The `neurocc` command line. Each command lives in cli/commands/ and registers
 * itself here. Every failure the user can fix is printed as one readable message with a non-zero
 * exit code, never as a stack trace.
 */
import { Command, CommanderError } from "commander";
import { COMPILER_VERSION } from "../compiler/image.ts";
import * as calibrate from "./commands/calibrate.ts";
import * as compile from "./commands/compile.ts";
import * as evalCommand from "./commands/eval.ts";
import * as demo from "./commands/demo.ts";
import * as exportCommand from "./commands/export.ts";
import * as fit from "./commands/fit.ts";
import * as importCommand from "./commands/import.ts";
import * as inspect from "./commands/inspect.ts";
import * as quantize from "./commands/quantize.ts";
import * as run from "./commands/run.ts";
import * as train from "./commands/train.ts";
import * as tune from "./commands/tune.ts";
import { CliError } from "./files.ts";

const COMMANDS = [compile, run, inspect, demo, tune, quantize, calibrate, importCommand, exportCommand, fit, train, evalCommand];

const program = new Command()
  .name("neurocc")
  .description("Compile spiking networks (.snn) for a neuromorphic chip and run them on its bit-exact emulator.")
  .version(COMPILER_VERSION)
  .showHelpAfterError("(run with --help for usage)")
  // Set before the commands are registered: commander copies these settings into each command.
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });
for (const command of COMMANDS) command.register(program);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof CliError) {
      process.stderr.write(`neurocc: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`neurocc: internal error: ${(e as Error)?.message ?? String(e)}\n(this is a bug in neurocc; please report it with the command you ran)\n`);
    if (process.env.NEUROCC_DEBUG) console.error(e);
    process.exitCode = 70;
  }
}

await main();
