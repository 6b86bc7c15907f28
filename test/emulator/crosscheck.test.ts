/**
 * @fileoverview The readable reference model (emulator/reference/) against the wasm core
 * (emulator/wasm.ts) bit for bit: spikes, probe traces and every counter must be exactly equal on
 * random networks from test/support/random-network.ts.
 *
 * The two implementations were written independently from docs/chip.md, so agreement here is
 * evidence that both read the spec the same way; a disagreement is reported as the first differing
 * field, with the seed that rebuilds the case (`randomNetwork(seed, sizes)`). Most draws come from
 * fixed seed ranges, so that CI is reproducible; one group draws fresh seeds with fast-check.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../emulator/types.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { createWasmEmulator } from "../../emulator/wasm.ts";
import { loadWasmCore } from "../../emulator/wasm-node.ts";
import { randomNetwork, type GeneratorOptions, type NetworkCase } from "../support/random-network.ts";

let core: WebAssembly.Module;
beforeAll(async () => {
  core = await loadWasmCore();
});

type Kernel = "simd" | "scalar";
/** How the wasm emulator is driven: kernel, chunk size, and whether to run it twice. */
interface Drive { kernel: Kernel; chunkBytes?: number; twice?: boolean; eventCounters?: "pairs" | "fused" }

/** Sizes mixed over the groups below: many small cases, fewer medium and large ones. */
const SMALL: GeneratorOptions = { maxPopulationSize: 12, maxSteps: 40 };
const MEDIUM: GeneratorOptions = { maxPopulationSize: 120, maxSteps: 150 };
const LARGE: GeneratorOptions = { maxPopulationSize: 700, maxSteps: 300 };

/** First difference between two arrays of numbers, compared with Object.is (so −0 ≠ 0, NaN = NaN). */
function firstDifference(name: string, a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `${name}: length ${a.length} (reference) vs ${b.length} (wasm)`;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) return `${name}[${i}]: ${a[i]} (reference) vs ${b[i]} (wasm)`;
  }
  return null;
}

/** Describes the first field where the two results differ, or returns null if they are identical. */
export function compareResults(ref: RunResult, wasm: RunResult): string | null {
  const checks: [string, ArrayLike<number>, ArrayLike<number>][] = [
    ["steps", [ref.steps], [wasm.steps]],
    ["spikeSteps", ref.spikeSteps, wasm.spikeSteps],
    ["spikeNeurons", ref.spikeNeurons, wasm.spikeNeurons],
    ["probes.length", [ref.probes.length], [wasm.probes.length]],
  ];
  ref.probes.forEach((p, k) => {
    const q = wasm.probes[k];
    if (!q) return;
    checks.push([`probes[${k}].population`, [p.population], [q.population]]);
    checks.push([`probes[${k}].variable(v=1)`, [+(p.variable === "v")], [+(q.variable === "v")]]);
    checks.push([`probes[${k}] (${p.variable} of population ${p.population}).values`, p.values, q.values]);
  });
  for (const field of ["updates", "synapticEvents", "packetsSent", "hops", "cycles"] as const) {
    checks.push([`perCore.${field}`, ref.perCore[field], wasm.perCore[field]]);
  }
  checks.push(
    ["stepCycles", ref.stepCycles, wasm.stepCycles],
    ["stepCriticalCore", ref.stepCriticalCore, wasm.stepCriticalCore],
    ["stepSynapticEvents", ref.stepSynapticEvents, wasm.stepSynapticEvents],
    ["latencyCycles", [ref.latencyCycles], [wasm.latencyCycles]],
    ["energyPj", [ref.energyPj], [wasm.energyPj]],
  );
  for (const [name, a, b] of checks) {
    const difference = firstDifference(name, a, b);
    if (difference) return difference;
  }
  return null;
}

/** Runs one case on both implementations; returns a one-line description of the first mismatch. */
async function crosscheck(c: NetworkCase, drive: Drive, sizes: string): Promise<string | null> {
  const label = `seed ${c.seed} (${sizes}, ${c.flavour}, ${JSON.stringify(drive)})`;
  const ref = createReferenceEmulator(c.network).run(c.options);
  let wasm: RunResult;
  try {
    const emulator = await createWasmEmulator(c.network, core, { kernel: drive.kernel, chunkBytes: drive.chunkBytes, eventCounters: drive.eventCounters });
    // A second run on the same instance must start from the image's initial state again.
    if (drive.twice) emulator.run({ ...c.options, steps: Math.ceil(c.options.steps / 2) });
    wasm = emulator.run(c.options);
  } catch (err) {
    return `${label}: wasm threw ${(err as Error).message}`;
  }
  const difference = compareResults(ref, wasm);
  return difference && `${label}: ${difference}`;
}

/** Checks a range of seeds and collects every mismatch, so one run reports them all. */
async function checkSeeds(first: number, count: number, sizes: GeneratorOptions, label: string, drive: Drive): Promise<string[]> {
  const mismatches: string[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const mismatch = await crosscheck(randomNetwork(seed, sizes), drive, label);
    if (mismatch) mismatches.push(mismatch);
  }
  return mismatches;
}

describe("reference model vs wasm core, bit for bit", () => {
  it("300 small random networks (simd kernel)", async () => {
    expect(await checkSeeds(0, 300, SMALL, "small", { kernel: "simd" })).toEqual([]);
  }, 60_000);

  it("100 small random networks with each layout of the event counters", async () => {
    expect(await checkSeeds(500, 50, SMALL, "small", { kernel: "simd", eventCounters: "fused" })).toEqual([]);
    expect(await checkSeeds(550, 50, SMALL, "small", { kernel: "simd", eventCounters: "pairs" })).toEqual([]);
  });

  it("100 small random networks (scalar kernel)", async () => {
    expect(await checkSeeds(1000, 100, SMALL, "small", { kernel: "scalar" })).toEqual([]);
  }, 60_000);

  it("100 small random networks, tiny chunks, second run on the same instance", async () => {
    expect(await checkSeeds(1500, 100, SMALL, "small", { kernel: "simd", chunkBytes: 1024, twice: true })).toEqual([]);
  }, 60_000);

  it("60 medium random networks", async () => {
    expect(await checkSeeds(2000, 60, MEDIUM, "medium", { kernel: "simd" })).toEqual([]);
  }, 60_000);

  it("6 large random networks", async () => {
    expect(await checkSeeds(3000, 6, LARGE, "large", { kernel: "simd" })).toEqual([]);
  }, 60_000);

  it("fresh seeds from fast-check", async () => {
    await fc.assert(
      fc.asyncProperty(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), async (seed) => {
        const mismatch = await crosscheck(randomNetwork(seed, SMALL), { kernel: "simd" }, "small");
        if (mismatch) throw new Error(mismatch);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
