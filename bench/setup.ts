/**
 * @fileoverview Setup cost of the CUBA benchmark network, outside the timed simulation of
 * bench/run.ts: compiling the rescaled examples/cuba.snn, then `createWasmEmulator` (flatten +
 * image). Prints wall and CPU seconds of each part.
 *
 *   npx tsx bench/setup.ts --n 160000 --p 0.002
 */
import { loadCubaNetwork } from "./networks.ts";
import { createWasmEmulator } from "../emulator/wasm.ts";
import { loadWasmCore } from "../emulator/wasm-node.ts";
import { option } from "./options.ts";

const n = Number(option("n", "160000"));
const p = Number(option("p", "0.002"));
let wall = performance.now();
let cpu = process.cpuUsage();
const lap = (what: string): void => {
  const used = process.cpuUsage(cpu);
  console.log(`${what}: ${((performance.now() - wall) / 1000).toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU`);
  wall = performance.now();
  cpu = process.cpuUsage();
};
const { network } = await loadCubaNetwork(n, p, "compiled");
lap(`compiling cuba.snn at N = ${n}, p = ${p}`);
const core = await loadWasmCore();
await createWasmEmulator(network, core);
lap("createWasmEmulator (flatten + image)");
