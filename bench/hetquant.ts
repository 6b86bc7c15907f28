/**
 * @fileoverview `tsx bench/hetquant.ts`: Moyal et al.'s heterogeneous-quantization claim on the
 * neurocc chip (wasm emulator), and the accuracy-vs-bits curve of weight quantization.
 *
 * Network (one per configuration, compiled from .snn text): `input sensors[8] : rate(gain)` →
 * `connect sensors -> mc : hetquant(spacing, payload, limit = 0.02, norm, cycle = 50ms)` →
 * `layer mc[8, D] : lif(tau = 20ms, vth = 1, refractory = 10ms)`, 200 steps (4 oscillation cycles).
 * Heterogeneous = `spacing = uniform` with payload 0.05 (weights 0.05 … 2.5); homogeneous =
 * `spacing = homogeneous` with every weight at their geometric mean 0.05·√50 ≈ 0.354.
 *
 * Data: bench/sensor-data.ts (Concentration and Saturation, 512 samples, 8 sensors, 4 odorants,
 * seed 1, 8 odorants). Per configuration and sample, one run; measured:
 * - utilisation: % of principal (mc) neurons that spike at least once in a sample, averaged;
 * - activity: mc spikes per sample at input scale ×1 and ×10 (raw data multiplied by 10), with the
 *   construct's L1 normalisation (norm = l1) and without it (norm = none, gain 1/64: the columns
 *   alone), and the ratio ×10/×1;
 * - accuracy: nearest-centroid read-out of the mc spike counts (half the samples train, half test).
 * Second table: the same network (Concentration, D = 16, heterogeneous) with the sensors->mc weights
 * quantized to 2…8 bits (neurocc quantize's compiler path, nearest rounding).
 * Third table: D = 16 heterogeneous columns data-blind, calibrated at compile time, and calibrated
 * online by the chip's calibration unit (docs/chip.md §10), with the unit's cycles and energy.
 *
 * Options: --samples K (default 512), --quick (128 samples, D = 4 and 16 only).
 */
import { compileSource, type QuantizationOverride } from "../compiler/index.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import { calibrateHetquant } from "../compiler/hetquant.ts";
import { createCalibratingChip } from "../emulator/calibration/index.ts";
import { buildEncoderTables } from "../emulator/inputs.ts";
import type { Emulator } from "../emulator/types.ts";
import { createWasmEmulator } from "../emulator/wasm.ts";
import { loadWasmCore } from "../emulator/wasm-node.ts";
import { centroidAccuracy, sensorData, type SensorData, type SensorSession } from "./sensor-data.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const samplesArg = args.indexOf("--samples");
const SAMPLES = samplesArg >= 0 ? Number(args[samplesArg + 1]) : quick ? 128 : 512;
const DUPLICATIONS = quick ? [4, 16] : [4, 8, 16, 32];
const STEPS = 200;
const PAYLOAD = 0.05;
const LIMIT = 0.02;
const HOMOGENEOUS_WEIGHT = PAYLOAD * Math.sqrt(1 / LIMIT);

type Kind = "heterogeneous" | "homogeneous";

function networkSource(kind: Kind, duplication: number, norm: "l1" | "none"): string {
  const spacing = kind === "heterogeneous" ? `spacing = uniform, payload = ${PAYLOAD}` : `spacing = homogeneous, payload = ${HOMOGENEOUS_WEIGHT}`;
  return `network hetquant_bench {
  input sensors[8] : rate(gain = ${norm === "l1" ? 1 : 1 / 64});
  layer mc[8, ${duplication}] : lif(tau = 20ms, vth = 1, refractory = 10ms);
  connect sensors -> mc : hetquant(${spacing}, limit = ${LIMIT}, norm = ${norm}, cycle = 50ms);
  run { steps = ${STEPS}; seed = 3; }
}`;
}

function compile(source: string, quantization?: (connection: string) => QuantizationOverride | null): ChipNetwork {
  const { network, diagnostics } = compileSource(source, "bench.snn", { quantization });
  if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return network;
}

/** mc spike counts per sample (`samples × mc size`). */
function mcCounts(network: ChipNetwork, emulator: Emulator, data: SensorData, scale: number): Int32Array {
  const mc = network.populations.find((p) => p.name === "mc")!;
  const counts = new Int32Array(SAMPLES * mc.size);
  for (let k = 0; k < SAMPLES; k++) {
    const values = data.values.subarray(k * data.sensors, (k + 1) * data.sensors).map((v) => v * scale);
    const encoders = buildEncoderTables(network, new Map([["sensors", { shape: [data.sensors], values }]]), STEPS);
    const result = emulator.run({ steps: STEPS, encoders, recordProbes: false });
    for (const id of result.spikeNeurons) {
      if (id >= mc.firstNeuron && id < mc.firstNeuron + mc.size) counts[k * mc.size + id - mc.firstNeuron]++;
    }
  }
  return counts;
}

/** b / a, or "—" when a is 0. */
const ratio = (a: number, b: number): string => (a > 0 ? (b / a).toFixed(2) : "—");

function summarize(counts: Int32Array, width: number): { utilisation: number; activity: number } {
  let active = 0;
  let spikes = 0;
  for (let i = 0; i < counts.length; i++) {
    spikes += counts[i];
    if (counts[i] > 0) active++;
  }
  return { utilisation: (100 * active) / counts.length, activity: spikes / (counts.length / width) };
}

async function main(): Promise<void> {
  const core = await loadWasmCore();
  const started = performance.now();
  const sessions: SensorSession[] = ["concentration", "saturation"];
  const table = [
    "| data | D | duplication | utilisation % | mc spikes/sample ×1 → ×10 (l1) | ratio | ×1 → ×10 (no norm) | ratio | accuracy % |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const session of sessions) {
    const data = sensorData(session, { samples: SAMPLES });
    for (const duplication of DUPLICATIONS) {
      for (const kind of ["heterogeneous", "homogeneous"] as Kind[]) {
        const width = 8 * duplication;
        const normalised = compile(networkSource(kind, duplication, "l1"));
        const raw = compile(networkSource(kind, duplication, "none"));
        const emulatorNormalised = await createWasmEmulator(normalised, core);
        const emulatorRaw = await createWasmEmulator(raw, core);
        const base = mcCounts(normalised, emulatorNormalised, data, 1);
        const scaled = summarize(mcCounts(normalised, emulatorNormalised, data, 10), width);
        const rawBase = summarize(mcCounts(raw, emulatorRaw, data, 1), width);
        const rawScaled = summarize(mcCounts(raw, emulatorRaw, data, 10), width);
        const { utilisation, activity } = summarize(base, width);
        const accuracy = 100 * centroidAccuracy(base, width, data.labels.subarray(0, SAMPLES));
        table.push(`| ${session} | ${duplication} | ${kind} | ${utilisation.toFixed(1)} | ${activity.toFixed(1)} → ${scaled.activity.toFixed(1)} | ${ratio(activity, scaled.activity)} | ${rawBase.activity.toFixed(1)} → ${rawScaled.activity.toFixed(1)} | ${ratio(rawBase.activity, rawScaled.activity)} | ${accuracy.toFixed(1)} |`);
      }
    }
  }
  console.log(`hetquant vs homogeneous duplication (${SAMPLES} samples per data set, ${STEPS} steps per sample, wasm emulator)\n`);
  console.log(table.join("\n"));

  const bitsTable = ["| weight bits | accuracy % | mc spikes/sample | max weight error % |", "|---|---|---|---|"];
  const data = sensorData("concentration", { samples: SAMPLES });
  for (const bits of [2, 3, 4, 5, 6, 7, 8]) {
    let maxError = 0;
    const source = networkSource("heterogeneous", 16, "l1");
    const { network, diagnostics } = compileSource(source, "bench.snn", {
      quantization: (name) => (name === "sensors->mc" ? { bits } : null),
      onQuantized: (r) => { if (r.projection === "sensors->mc") maxError = r.maxError; },
    });
    if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
    const counts = mcCounts(network, await createWasmEmulator(network, core), data, 1);
    const { activity } = summarize(counts, 8 * 16);
    bitsTable.push(`| ${bits} | ${(100 * centroidAccuracy(counts, 8 * 16, data.labels.subarray(0, SAMPLES))).toFixed(1)} | ${activity.toFixed(1)} | ${(100 * maxError).toFixed(1)} |`);
  }
  console.log(`\naccuracy vs weight bits (concentration, D = 16, heterogeneous; sensors->mc quantized, nearest rounding)\n`);
  console.log(bitsTable.join("\n"));
  console.log(`\ncalibration of the columns (D = 16, heterogeneous, 8-bit weights): data-blind, compile-time \`calibrate\`, and online on the chip\n`);
  console.log((await calibrationTable(core)).join("\n"));
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

/**
 * Data-blind columns vs calibrated ones, on each data set (all samples calibrate, as the paper's
 * calibrate() pass does; the read-out then trains on half and tests on the other half): compile-time
 * calibration (compiler/hetquant.ts) and the chip's calibration unit (emulator/calibration/, one
 * pass of the samples through the chip, STEPS steps each), with what the unit cost.
 */
async function calibrationTable(core: WebAssembly.Module): Promise<string[]> {
  const duplication = 16;
  const width = 8 * duplication;
  const rows = ["| data | columns | utilisation % | mc spikes/sample | accuracy % | unit cycles/sample | unit energy nJ/sample |", "|---|---|---|---|---|---|---|"];
  for (const session of ["concentration", "saturation"] as SensorSession[]) {
    const data = sensorData(session, { samples: SAMPLES });
    const values = data.values.subarray(0, SAMPLES * data.sensors);
    const blindSource = networkSource("heterogeneous", duplication, "l1");
    const compileTime = compileSource(blindSource, "bench.snn", { beforeLowering: (checked) => void calibrateHetquant(checked, "sensors", values) }).network!;
    const onlineSource = blindSource.replace("cycle = 50ms", "cycle = 50ms, online = 1");
    const calibrating = createCalibratingChip(await createWasmEmulator(compile(onlineSource), core));
    for (let k = 0; k < SAMPLES; k++) {
      const encoders = buildEncoderTables(calibrating.network(), new Map([["sensors", { shape: [data.sensors], values: values.subarray(k * data.sensors, (k + 1) * data.sensors) }]]), STEPS);
      calibrating.runSample({ steps: STEPS, encoders, recordProbes: false });
    }
    const online = calibrating.network();
    const work = calibrating.work;
    for (const [label, network, cost] of [["data-blind", compile(blindSource), null], ["compile-time calibrate", compileTime, null], ["online (chip)", online, work]] as const) {
      const counts = mcCounts(network, await createWasmEmulator(network, core), data, 1);
      const { utilisation, activity } = summarize(counts, width);
      const accuracy = 100 * centroidAccuracy(counts, width, data.labels.subarray(0, SAMPLES));
      const unit = cost ? `${(cost.cycles / cost.samples).toFixed(0)} | ${(cost.energyPj / cost.samples / 1000).toFixed(1)}` : "— | —";
      rows.push(`| ${session} | ${label} | ${utilisation.toFixed(1)} | ${activity.toFixed(1)} | ${accuracy.toFixed(1)} | ${unit} |`);
    }
  }
  return rows;
}

await main();
