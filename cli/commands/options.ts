/**
 * @fileoverview Pieces shared by the command modules: option parsers and the chip option.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { PRESET_NAMES } from "../../compiler/presets.ts";
import { parseDuration } from "../model-files.ts";

export function wholeNumber(min: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got '${text}'`);
    return n;
  };
}

export function numberIn(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === "" || !(n >= min && n <= max)) throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got '${text}'`);
    return n;
  };
}

export const chipOption = () => new Option("--chip <preset>", "chip preset").choices(PRESET_NAMES);

/** `--dt` of the commands that read a `.nir` model directly (NIR files need not say their timestep). */
export const modelDtOption = () => new Option("--dt <time>", "timestep of a .nir model whose metadata has none, e.g. 0.1ms");

/** The `--dt` value in ms, or undefined. */
export function modelDtMs(dt: string | undefined): number | undefined {
  return dt === undefined ? undefined : parseDuration(dt, "--dt");
}

export const engineOption = () => new Option("--engine <name>", "emulator implementation").choices(["wasm", "reference"]).default("wasm");

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** The data-set options of `train` and `eval`: a named set or a data file, with its labels. */
export function withDataSetOptions(command: Command): Command {
  return command
    .requiredOption("--data <name|file>", "fashion-mnist, mnist, or a data file (.npy/.csv, or IDX with --labels)")
    .option("--labels <file>", "labels of a data file");
}
