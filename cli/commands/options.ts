/**
 * @fileoverview Pieces shared by the command modules: option parsers and the chip option.
 */
import { InvalidArgumentError, Option } from "commander";
import { PRESET_NAMES } from "../../compiler/presets.ts";

export function wholeNumber(min: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got '${text}'`);
    return n;
  };
}

export const chipOption = () => new Option("--chip <preset>", "chip preset").choices(PRESET_NAMES);

export const engineOption = () => new Option("--engine <name>", "emulator implementation").choices(["wasm", "reference"]).default("wasm");

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[]) => [...previous, value];
