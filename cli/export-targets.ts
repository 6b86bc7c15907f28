/**
 * @fileoverview The export targets of `neurocc export`, by name: each turns a chip network into one
 * file or a folder of files (targets/*). Errors that the network causes (a structure a format
 * cannot hold) become one CliError naming the population or projection.
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import { exportC } from "../targets/c/export.ts";
import { hdf5Bytes } from "../targets/hdf5/hdf5-node.ts";
import { exportNetx, NetxExportError } from "../targets/netx/export.ts";
import { exportNir } from "../targets/nir/export.ts";
import { NirError } from "../targets/nir/graph.ts";
import { nirToTree } from "../targets/nir/hdf5.ts";
import { TableError } from "../targets/tables/core-tables.ts";
import { exportCsv, exportJson } from "../targets/tables/weights.ts";
import { exportVerilog } from "../targets/verilog/export.ts";
import { CliError } from "./files.ts";

export type ExportResult =
  | { kind: "file"; data: Uint8Array | string; warnings: string[] }
  | { kind: "files"; files: Map<string, string | Uint8Array>; warnings: string[] };

const folder = (files: Map<string, string>): ExportResult => ({ kind: "files", files, warnings: [] });

export const EXPORT_TARGETS = {
  nir: (network: ChipNetwork): ExportResult => {
    const { document, warnings } = exportNir(network);
    return { kind: "file", data: hdf5Bytes(nirToTree(document)), warnings };
  },
  c: (network: ChipNetwork) => folder(exportC(network)),
  verilog: (network: ChipNetwork) => folder(exportVerilog(network)),
  netx: (network: ChipNetwork): ExportResult => ({ kind: "file", data: hdf5Bytes(exportNetx(network)), warnings: [] }),
  csv: (network: ChipNetwork) => folder(exportCsv(network)),
  json: (network: ChipNetwork): ExportResult => ({ kind: "file", data: exportJson(network), warnings: [] }),
} as const;

export function exportNetwork(network: ChipNetwork, target: keyof typeof EXPORT_TARGETS, output: string): ExportResult {
  try {
    const result = EXPORT_TARGETS[target](network);
    // json into a folder path: write network.json inside it.
    if (target === "json" && !output.toLowerCase().endsWith(".json") && result.kind === "file") return { kind: "files", files: new Map([["network.json", result.data]]), warnings: result.warnings };
    return result;
  } catch (e) {
    if (e instanceof TableError || e instanceof NetxExportError || e instanceof NirError || e instanceof RangeError) throw new CliError(`cannot export ${network.name} as ${target}: ${e.message}`);
    throw e;
  }
}
