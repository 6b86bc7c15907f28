/**
 * @fileoverview Runs the `neurocc` command the way a user does — `node cli/bin.mjs ARGS` as a child
 * process, no shell, CI=true — and collects its exit status and output. Asynchronous, so that test
 * files can start several runs at once.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const NEUROCC_BIN = fileURLToPath(new URL("../../cli/bin.mjs", import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runNeurocc(args: string[], cwd: string, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NEUROCC_BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true", NO_COLOR: "1" }, timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}
