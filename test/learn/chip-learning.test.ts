/**
 * @fileoverview The fixed-point learning chip: it tracks the float reference (same spikes and
 * eligibilities within a stated tolerance, same ε signs), is deterministic, learns a tiny task with
 * both rules, writes its weights back into the IR so the reference emulator infers the same, and
 * rejects networks and settings it cannot train with one clear message.
 */
import { describe, expect, it } from "vitest";
import { prototypeConfig } from "../../learn/sfdfa/config.ts";
import { createFloatNetwork, refreshFanOut as refreshFloat } from "../../learn/sfdfa/network.ts";
import { createSampleState, runSample } from "../../learn/sfdfa/sample.ts";
import { accumulateSample, applyBatch, createBatchAccumulator, outputErrors } from "../../learn/sfdfa/update.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { buildEncoderTables } from "../../emulator/inputs.ts";
import { createLearningChip, flushChipBatch, inferChipSample, LearningError, networkWithLearnedWeights, predictByCount, trainChipSample, learningCost } from "../../emulator/learning/index.ts";
import { chipEligibility, pseudoEligibility, runChipSample } from "../../emulator/learning/sample.ts";
import { outputErrorsQ16 } from "../../emulator/learning/update.ts";
import { learningRateShiftOf } from "../../learn/chip-training.ts";
import { createRasterBuilder } from "../../emulator/learning/raster.ts";
import { chipRaster, compileTiny, randomFeatures, tinySettings, tinySource, TINY_STEPS } from "./support/chip.ts";

/**
 * A float reference network with exactly the chip's weights, decays, delays and learning settings
 * (ϑ = 1 ↔ Θ; η_B = 2^−feedbackRateShift; ε = ±σ).
 */
function floatTwin(chip: ReturnType<typeof createLearningChip>) {
  const s = chip.engine.settings;
  const sizes = [chip.engine.chain.input.size, ...chip.engine.layers.map((l) => l.size)];
  const config = prototypeConfig(sizes, {
    steps: s.steps, latencyWindowSteps: 20, delaySteps: 1, perturbation: "sign", perturbationScale: 2 ** s.perturbationLog2,
    batchSize: s.batchSize, learningRate: s.learningRate, feedbackLearningRate: 2 ** -s.feedbackRateShift,
    targetTrueCount: s.targetTrueCount, targetOtherCount: s.targetOtherCount,
    rateRegularisation: s.rateRegularisation, rateTargetSpikes: s.rateTargetSpikes,
  });
  config.layers[config.layers.length - 1].learningRate = s.outputLearningRate ?? s.learningRate;
  config.layers.slice(0, -1).forEach((layer, l) => Object.assign(layer, {
    rateRegularisation: s.layerRateRegularisation?.[l] ?? s.rateRegularisation, rateTargetSpikes: s.layerRateTargetSpikes?.[l] ?? s.rateTargetSpikes,
  }));
  config.silentEligibilityFraction = s.silentFloorFraction ?? 0;
  config.normaliseOutputErrorByCount = s.outputErrorPerSpike ?? true;
  config.oneSidedErrors = s.loss === "spike_count_hinge";
  config.outputsPerClass = s.outputsPerClass;
  config.perturbLayers = s.perturbLayers;
  const network = createFloatNetwork(config, chip.engine.seed);
  network.layers.forEach((layer, l) => {
    const chipLayer = chip.engine.layers[l];
    const decay = chipLayer.chain.constants.decay;
    if (decay.kind !== "multiply") throw new Error("test expects multiply decays");
    Object.assign(layer, { alpha: decay.currentRetain / 4096, beta: decay.voltageRetain / 4096 });
    const weightInThresholds = 2 ** chipLayer.chain.weightUnitLog2 / chipLayer.crossing;
    chipLayer.weights.forEach((q, k) => { layer.weights[k] = q * weightInThresholds; });
    refreshFloat(layer);
  });
  return network;
}

/**
 * Runs 20 random samples through the chip and its float twin; compares ε signs and the eligibility
 * rows of every neuron the float reference made eligible (spiking, or pseudo-spiking with
 * silent_floor), relative to max(the row's largest |E|, 1 step/ϑ).
 */
function compareEligibilities(settings: ReturnType<typeof tinySettings>, source = tinySource()) {
  const chip = createLearningChip(compileTiny(source), settings);
  const float = floatTwin(chip);
  const floatState = createSampleState(float);
  let sameRaster = 0, worst = 0, saturatedRows = 0, silentRows = 0;
  const compared = [0, 0];
  for (let sample = 0; sample < 20; sample++) {
    const raster = chipRaster(chip.engine.network, randomFeatures(20, sample));
    runChipSample(chip.engine, chip.state, raster, true, sample);
    runSample(float, floatState, raster, { learning: true, sampleIndex: sample });
    const same = chip.state.layers.every((s, l) => {
      const f = floatState.layers[l];
      return s.spikeStart.every((v, m) => v === f.spikeStart[m]) && s.spikeNeuron.slice(0, s.spikeStart[TINY_STEPS]).every((v, k) => v === f.spikeNeuron[k]);
    });
    if (!same) continue;
    sameRaster++;
    // Outputs driven far above threshold pin the chip's 24-bit membrane at its limit (128 ϑ), which
    // the float reference does not model; their E then differs (by up to 65 %). Every other row holds to 2 %.
    chip.state.layers.forEach((s, l) => {
      const f = floatState.layers[l];
      if (l === 0) s.perturbation.forEach((e, i) => expect(Math.sign(e)).toBe(Math.sign(f.perturbation[i])));
      expect(s.eligibleCount + s.pseudoCount).toBe(f.eligibleCount);
      const chipLayer = chip.engine.layers[l];
      const preSize = chip.engine.layers[l].preSize;
      for (let k = 0; k < f.eligibleCount; k++) {
        if (s.saturated[f.eligibleNeurons[k]]) {
          saturatedRows++;
          continue;
        }
        const i = f.eligibleNeurons[k], silent = f.counts[i] === 0;
        if (silent) {
          silentRows++;
          expect(Array.from(s.pseudoNeurons.subarray(0, s.pseudoCount))).toContain(i);
        }
        const row = i * preSize;
        let scale = 0;
        for (let j = 0; j < preSize; j++) scale = Math.max(scale, Math.abs(f.eligibility[row + j]));
        for (let j = 0; j < preSize; j++) {
          const chipE = silent ? pseudoEligibility(chipLayer, s, i, j) : chipEligibility(chipLayer, s, i, j);
          worst = Math.max(worst, Math.abs(chipE / 256 - f.eligibility[row + j]) / Math.max(scale, 1));
          compared[l]++;
        }
      }
    });
  }
  return { sameRaster, worst, saturatedRows, silentRows, compared };
}

describe("fixed-point learning chip against the float reference", () => {
  it("has the same spikes, ε and eligibilities (within 2 % of max(the row's largest |E|, 1 step/ϑ)) for the same weights, except where the chip's membrane saturated", () => {
    const { sameRaster, worst, saturatedRows, silentRows, compared } = compareEligibilities(tinySettings());
    expect(sameRaster).toBeGreaterThanOrEqual(16);
    expect(compared[0]).toBeGreaterThan(100);
    expect(compared[1]).toBeGreaterThan(50);
    expect(saturatedRows).toBeGreaterThan(0); // the exclusion is real in this deliberately strong network
    expect(silentRows).toBe(0); // without silent_floor only neurons that spiked are eligible
    expect(worst).toBeLessThan(0.02);
  });

  it("with silent_floor, gives the same pseudo-spike eligibilities to the same silent hidden neurons", () => {
    const { sameRaster, worst, silentRows } = compareEligibilities(
      tinySettings({ silentFloorFraction: 0.2 }),
      tinySource().replace("uniform(-2, 9)", "uniform(-4, 4)"), // weaker hidden weights: some hidden neurons stay silent
    );
    expect(sameRaster).toBeGreaterThanOrEqual(16);
    expect(silentRows).toBeGreaterThan(20); // silent hidden neurons that came within 0.2 ϑ of the threshold
    expect(worst).toBeLessThan(0.02);
  });
});

/** 20 → 12 → 10 → 3: tinySource with a second hidden layer, weights that keep every layer firing below saturation. */
const TWO_HIDDEN_SOURCE = tinySource(12, 3)
  .replace("uniform(-2, 9)", "uniform(-2, 6)")
  .replace("  layer out[3]", "  layer hidden2[10] : cuba(tau_mem = 10ms, tau_syn = 5ms, vth = 1, reset = subtract);\n  layer out[3]")
  .replace("connect hidden -> out : dense(weight = uniform(-2, 10)", "connect hidden -> hidden2 : dense(weight = uniform(-2, 6), bits = 8);\n  connect hidden2 -> out : dense(weight = uniform(-2, 4)");

describe("two hidden layers, chip against the float reference", () => {
  it.each(["all", "alternate"] as const)("perturb = %s: the same spikes in every layer and the same feedback B for both hidden layers (tangents carried through hidden2)", (perturbLayers) => {
    // Steps far below one weight LSB keep both networks' weights where they started, so the spikes
    // stay comparable over four batches while B learns (η_B = 2^−2, fast, to give B four batches' worth).
    const network = compileTiny(TWO_HIDDEN_SOURCE);
    const chip = createLearningChip(network, tinySettings({ batchSize: 10, learningRate: 1e-6, feedbackRateShift: 2, perturbLayers }));
    const float = floatTwin(chip);
    const state = createSampleState(float);
    const batch = createBatchAccumulator(float);
    for (let k = 0; k < 40; k++) {
      const raster = chipRaster(network, randomFeatures(20, 50 + k));
      trainChipSample(chip, raster, k % 3);
      runSample(float, state, raster, { learning: true, sampleIndex: float.samplesSeen++ });
      chip.state.layers.forEach((layer, l) => expect(Array.from(layer.counts)).toEqual(Array.from(state.layers[l].counts)));
      // alternate: sample k perturbs hidden layer k mod 2 alone; the other carries ε = 0.
      const perturbed = chip.state.layers.map((layer) => layer.perturbed);
      expect(perturbed).toEqual(perturbLayers === "all" ? [true, true, false] : [k % 2 === 0, k % 2 === 1, false]);
      chip.state.layers.forEach((layer, l) => { if (!perturbed[l]) expect(layer.perturbation.every((e) => e === 0)).toBe(true); });
      expect(state.layers.map((layer) => layer.perturbed)).toEqual(perturbed);
      accumulateSample(float, state, k % 3, batch);
      if (batch.samples >= 10) applyBatch(float, batch);
    }
    // Measured: both layers' B agree to 1e-4 of a largest |B| of 0.37–0.45 threshold units per step.
    for (const l of [0, 1]) {
      const floatB = float.layers[l].feedback!;
      const scale = Math.max(...Array.from(floatB, Math.abs));
      expect(scale).toBeGreaterThan(0.1);
      chip.engine.layers[l].feedback!.forEach((b, k) => expect(Math.abs(b / 65536 - floatB[k])).toBeLessThan(0.01 * scale));
    }
  });
});

/** Three classes, each a fixed bright patch of the 20 inputs plus seeded noise. */
function patternSample(k: number): { features: Float64Array; label: number } {
  const label = k % 3;
  const features = randomFeatures(20, 1000 + k).map((x) => 0.3 * x);
  for (let j = label * 6; j < label * 6 + 6; j++) features[j] = 0.9;
  return { features, label };
}

/**
 * The toy task's network: 20 → 16 → 3, weights drawn so the outputs start active (about 27 spikes
 * in 40 steps) but below the membrane's saturation. (The first version of this test drew the output
 * weights from uniform(−2, 10): every output fired 34 times, pinned at the 24-bit voltage limit,
 * and neither the chip nor the float reference learned within 6 epochs.)
 */
const TOY_SOURCE = tinySource(16, 3).replace("uniform(-2, 9)", "uniform(-2, 6)").replace("uniform(-2, 10)", "uniform(-2, 4)");
const TOY_SETTINGS = { learningRate: 4e-3, batchSize: 6 } as const;

function trainTiny(rule: "sfdfa" | "dfa", epochs: number) {
  const network = compileTiny(TOY_SOURCE);
  const chip = createLearningChip(network, tinySettings({ rule, ...TOY_SETTINGS }));
  const rasters = Array.from({ length: 90 }, (_, k) => ({ raster: chipRaster(network, patternSample(k).features), label: patternSample(k).label }));
  const history: { accuracy: number; spikesPerNeuron: number[] }[] = [];
  const spikes = chip.engine.layers.map(() => 0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    spikes.fill(0);
    for (let k = 0; k < 60; k++) {
      trainChipSample(chip, rasters[k].raster, rasters[k].label);
      chip.state.layers.forEach((s, l) => { spikes[l] += s.counts.reduce((a, b) => a + b, 0) / s.counts.length / 60; });
    }
    flushChipBatch(chip);
    let correct = 0;
    for (let k = 60; k < 90; k++) if (predictByCount(inferChipSample(chip, rasters[k].raster)) === rasters[k].label) correct++;
    history.push({ accuracy: correct / 30, spikesPerNeuron: [...spikes] });
  }
  return { chip, rasters, history, accuracy: history[history.length - 1].accuracy };
}

/** The float reference trained on the same rasters, order and settings, from the chip's initial weights. */
function trainFloatTwin(epochs: number) {
  const network = compileTiny(TOY_SOURCE);
  const chip = createLearningChip(network, tinySettings({ rule: "sfdfa", ...TOY_SETTINGS }));
  const float = floatTwin(chip);
  const state = createSampleState(float);
  const batch = createBatchAccumulator(float);
  const history: { accuracy: number; spikesPerNeuron: number[] }[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const spikes = float.layers.map(() => 0);
    for (let k = 0; k < 60; k++) {
      const { features, label } = patternSample(k);
      runSample(float, state, chipRaster(network, features), { learning: true, sampleIndex: float.samplesSeen++ });
      state.layers.forEach((s, l) => { spikes[l] += s.counts.reduce((a, b) => a + b, 0) / s.counts.length / 60; });
      accumulateSample(float, state, label, batch);
      if (batch.samples >= TOY_SETTINGS.batchSize) applyBatch(float, batch);
    }
    applyBatch(float, batch);
    let correct = 0;
    for (let k = 60; k < 90; k++) {
      const { features, label } = patternSample(k);
      runSample(float, state, chipRaster(network, features), { learning: false });
      if (predictByCount(state.layers[state.layers.length - 1].counts) === label) correct++;
    }
    history.push({ accuracy: correct / 30, spikesPerNeuron: spikes });
  }
  return history;
}

describe("on-chip training", () => {
  it("is deterministic for a seed", () => {
    const a = trainTiny("sfdfa", 1).chip;
    const b = trainTiny("sfdfa", 1).chip;
    a.engine.layers.forEach((layer, l) => {
      expect(layer.weights).toEqual(b.engine.layers[l].weights);
      if (layer.feedback) expect(layer.feedback).toEqual(b.engine.layers[l].feedback);
    });
  });

  it("learns a three-class toy task and tracks the float reference trained side by side", () => {
    const epochs = 10;
    const chip = trainTiny("sfdfa", epochs).history;
    const float = trainFloatTwin(epochs);
    // Measured (seed 3): chip 10/30 → 26/30, float 10/30 → 25/30 test samples correct (chance: 10/30).
    expect(chip[0].accuracy).toBeLessThan(0.5);
    expect(chip[epochs - 1].accuracy).toBeGreaterThanOrEqual(0.8);
    expect(float[epochs - 1].accuracy).toBeGreaterThanOrEqual(0.7);
    // Tracking: every epoch's accuracy within 0.25 of the float twin's (30 test samples: one is 0.033;
    // measured at most 7/30, epoch 4), the mean over epochs within 0.1 (measured 0.05), and the
    // spikes per neuron of each layer within 25 % + 0.2 of its (measured: at most 20 %, the outputs in
    // epoch 3; the chip's 8-bit weights move by stochastically rounded whole LSBs, the twin's do not).
    chip.forEach((epoch, e) => {
      expect(Math.abs(epoch.accuracy - float[e].accuracy)).toBeLessThanOrEqual(0.25);
      epoch.spikesPerNeuron.forEach((rate, l) => expect(Math.abs(rate - float[e].spikesPerNeuron[l])).toBeLessThanOrEqual(0.25 * float[e].spikesPerNeuron[l] + 0.2));
    });
    const mean = (h: { accuracy: number }[]) => h.reduce((sum, x) => sum + x.accuracy, 0) / h.length;
    expect(Math.abs(mean(chip) - mean(float))).toBeLessThanOrEqual(0.1);
  });

  it.each(["sfdfa", "dfa"] as const)("%s trains and reports its cost", (rule) => {
    const { chip } = trainTiny(rule, 1);
    const cost = learningCost(chip);
    expect(cost.cycles).toBeGreaterThan(0);
    expect(cost.energyPj).toBeGreaterThan(0);
    if (rule === "sfdfa") expect(chip.engine.layers[0].feedback!.some((b) => b !== 0)).toBe(true);
  });

  it("writes the learned weights into the IR: the reference emulator then spikes as the chip infers", () => {
    const { chip } = trainTiny("sfdfa", 2);
    const learned = networkWithLearnedWeights(chip);
    const emulator = createReferenceEmulator(learned);
    const out = learned.populations[2];
    for (let k = 60; k < 66; k++) {
      const { features } = patternSample(k);
      const counts = inferChipSample(chip, chipRaster(learned, features));
      const result = emulator.run({ steps: TINY_STEPS, encoders: buildEncoderTables(learned, new Map([["image", { shape: [20], values: features }]]), TINY_STEPS), recordProbes: false });
      const emulated = new Int32Array(out.size);
      result.spikeNeurons.forEach((id) => { if (id >= out.firstNeuron) emulated[id - out.firstNeuron]++; });
      expect(Array.from(counts)).toEqual(Array.from(emulated));
    }
  });
});

describe("input rasters", () => {
  it("the latency raster (a counting sort) lists the spikes the encoder's rule gives, step by step in neuron order", () => {
    const network = compileTiny();
    const builder = createRasterBuilder(network, network.populations[0], TINY_STEPS);
    for (let seed = 1; seed <= 5; seed++) {
      const features = randomFeatures(20, seed);
      const raster = builder.build(features, 0);
      expect(Array.from(raster.stepStart)).toEqual(Array.from(chipRaster(network, features).stepStart));
      expect(Array.from(raster.neurons.subarray(0, raster.stepStart[TINY_STEPS]))).toEqual(Array.from(chipRaster(network, features).neurons));
    }
  });
});

describe("learning-rate schedule", () => {
  it("halves the lr every E epochs (an epoch's shift depends on the epoch alone)", () => {
    expect([0, 1, 2, 3, 5, 6, 9].map((e) => learningRateShiftOf(e, 3))).toEqual([0, 0, 0, 1, 1, 2, 3]);
    expect(learningRateShiftOf(7, undefined)).toBe(0);
    expect(learningRateShiftOf(1000, 1)).toBe(16);
  });
  it("a halved lr moves the weights by about half as much in the first batch", () => {
    const moved = (shift: number) => {
      const chip = createLearningChip(compileTiny(), tinySettings());
      chip.engine.learningRateShift = shift;
      const before = Int32Array.from(chip.engine.layers[1].weights);
      for (let k = 0; k < 4; k++) trainChipSample(chip, chipRaster(chip.engine.network, randomFeatures(20, k)), k % 3);
      return chip.engine.layers[1].weights.reduce((sum, q, i) => sum + Math.abs(q - before[i]), 0);
    };
    const full = moved(0), half = moved(1);
    expect(full).toBeGreaterThan(0);
    expect(half / full).toBeGreaterThan(0.3);
    expect(half / full).toBeLessThan(0.7);
  });
});

describe("pseudo-spikes (silent_floor) and output_error = total", () => {
  const WEAK = tinySource().replace("uniform(-2, 9)", "uniform(-4, 4)");
  /** The hidden gradient rows after one DFA sample (no update applied), and which neurons spiked. */
  const hiddenGradient = (silentFloorFraction: number) => {
    const chip = createLearningChip(compileTiny(WEAK), tinySettings({ rule: "dfa", batchSize: 8, silentFloorFraction }));
    trainChipSample(chip, chipRaster(chip.engine.network, randomFeatures(20, 0)), 0);
    const everSpiked = Uint8Array.from(chip.state.layers[0].counts, (c) => (c > 0 ? 1 : 0));
    const { gradient, preSize, size } = chip.engine.layers[0];
    const rowMoved = Array.from({ length: size }, (_, i) => gradient.subarray(i * preSize, (i + 1) * preSize).some((g) => g !== 0));
    return { rowMoved, everSpiked };
  };
  it("give a silent hidden neuron that came close a gradient, which it has none of without them", () => {
    const off = hiddenGradient(0), on = hiddenGradient(0.2);
    const silent = [...off.everSpiked.keys()].filter((i) => !off.everSpiked[i]);
    expect(silent.length).toBeGreaterThan(0);
    expect(silent.every((i) => !off.rowMoved[i])).toBe(true);
    expect(silent.some((i) => on.rowMoved[i])).toBe(true);
    expect(on.everSpiked).toEqual(off.everSpiked); // the forward pass is the same
  });
  it("the hinge loss keeps only the true class's shortfall and the other classes' excess", () => {
    const engine = createLearningChip(compileTiny(), tinySettings({ targetTrueCount: 20, targetOtherCount: 4, loss: "spike_count_hinge" })).engine;
    const twoSided = createLearningChip(compileTiny(), tinySettings({ targetTrueCount: 20, targetOtherCount: 4 })).engine;
    const counts = Int32Array.from([25, 2, 9]);
    expect(Array.from(outputErrorsQ16(twoSided, counts, 0)).map((e) => e / 65536)).toEqual([-5, 2, -5]);
    expect(Array.from(outputErrorsQ16(engine, counts, 0)).map((e) => e / 65536)).toEqual([0, 0, -5]);
    expect(Array.from(outputErrorsQ16(engine, Int32Array.from([12, 2, 9]), 0)).map((e) => e / 65536)).toEqual([8, 0, -5]);
  });
  it("output_error = total uses err_o where per_spike uses trunc(err_o / max(count_o, 1))", () => {
    const outputGradient = (outputErrorPerSpike: boolean) => {
      const chip = createLearningChip(compileTiny(), tinySettings({ rule: "dfa", batchSize: 8, outputErrorPerSpike }));
      trainChipSample(chip, chipRaster(chip.engine.network, randomFeatures(20, 0)), 1);
      const counts = Int32Array.from(chip.state.layers[1].counts);
      return { gradient: Float64Array.from(chip.engine.layers[1].gradient), counts, err: outputErrorsQ16(chip.engine, counts, 1), preSize: chip.engine.layers[1].preSize };
    };
    const perSpike = outputGradient(true), total = outputGradient(false);
    expect(perSpike.counts.some((c) => c > 1)).toBe(true);
    let checked = 0;
    perSpike.counts.forEach((count, o) => {
      const err = BigInt(perSpike.err[o]), divided = BigInt(Math.trunc(perSpike.err[o] / Math.max(count, 1)));
      for (let j = 0; j < perSpike.preSize; j++) {
        const k = o * perSpike.preSize + j;
        // One sample: G = e·E, so G_per_spike·err = G_total·trunc(err/count) exactly.
        expect(BigInt(perSpike.gradient[k]) * err).toBe(BigInt(total.gradient[k]) * divided);
        if (total.gradient[k] !== 0 && count > 1) checked++;
      }
    });
    expect(checked).toBeGreaterThan(0);
  });
});

describe("the output layer's own learning rate (lr_output)", () => {
  it("scales the output layer's step, and leaves the hidden layer's update as it is", () => {
    // DFA: the hidden update of the first batch depends on the forward pass and the fixed B only.
    const firstBatch = (outputLearningRate?: number) => {
      const chip = createLearningChip(compileTiny(), tinySettings({ ...TOY_SETTINGS, rule: "dfa", batchSize: 4, ...(outputLearningRate ? { outputLearningRate } : {}) }));
      const before = chip.engine.layers.map((layer) => Int32Array.from(layer.weights));
      for (let k = 0; k < 4; k++) trainChipSample(chip, chipRaster(chip.engine.network, randomFeatures(20, k)), k % 3);
      return chip.engine.layers.map((layer, l) => ({ step: layer.stepQ16, weights: layer.weights, moved: layer.weights.reduce((sum, q, i) => sum + Math.abs(q - before[l][i]), 0) }));
    };
    const plain = firstBatch();
    const faster = firstBatch(4 * TOY_SETTINGS.learningRate);
    expect(faster[0].step).toBe(plain[0].step);
    expect(Math.abs(faster[1].step - 4 * plain[1].step)).toBeLessThanOrEqual(2);
    expect(plain[0].moved).toBeGreaterThan(0);
    expect(faster[0].weights).toEqual(plain[0].weights);
    // Stochastic rounding of about 0.3 LSB steps (plain) against 1.2 LSB steps: measured 15 vs 48 LSBs moved (the hidden layer: 82 in both).
    expect(faster[1].moved).toBeGreaterThan(2 * plain[1].moved);
  });
  it("rejects an output learning rate out of range", () => {
    expect(() => createLearningChip(compileTiny(), tinySettings({ outputLearningRate: 2 }))).toThrow(/lr_output = 2 is out of range/);
  });
});

describe("networks and settings the chip cannot train", () => {
  it("names a missing output layer", () => {
    expect(() => createLearningChip(compileTiny(), tinySettings({ output: "nope" }))).toThrow(/output 'nope' is not a population/);
  });
  it("rejects a reset the gradient does not model", () => {
    const network = compileTiny(tinySource().replace(/reset = subtract\);\n  layer out/, "reset = 0);\n  layer out"));
    expect(() => createLearningChip(network, tinySettings())).toThrow(LearningError);
  });
  it("rejects a learning rate below one 2^-16 weight LSB", () => {
    expect(() => createLearningChip(compileTiny(), tinySettings({ learningRate: 1e-12 }))).toThrow(/learning rate .* LSBs/);
    // c·trace must stay exact in both kernels: a tiny slope_min would let c1 reach 2^21
    expect(() => createLearningChip(compileTiny(), tinySettings({ slopeMinFraction: 1e-4 }))).toThrow(/eligibility coefficient can reach \d+ \(Q11\), beyond its 21 bits; raise slope_min/);
  });
  it("predicts a tie for the top count as wrong", () => {
    expect(predictByCount([2, 5, 5])).toBe(-1);
    expect(predictByCount([0, 0, 0])).toBe(-1);
    expect(predictByCount([1, 5, 2])).toBe(1);
  });
  it("with outputs_per_class = k, predicts by each class's total and trains every neuron of the true class towards its target", () => {
    // class 0 owns outputs 0–1 (total 7), class 1 outputs 2–3 (total 9), class 2 outputs 4–5 (total 9)
    expect(predictByCount([3, 4, 9, 0, 5, 4], 2)).toBe(-1);
    expect(predictByCount([3, 4, 9, 1, 5, 4], 2)).toBe(1);
    expect(predictByCount([8, 0, 0, 7, 0, 0], 2)).toBe(0); // the top single neuron is not what counts
    expect(predictByCount([8, 0, 0, 7, 0, 9], 2)).toBe(2);
    const engine = createLearningChip(compileTiny(tinySource(8, 6)), tinySettings({ targetTrueCount: 20, targetOtherCount: 4, loss: "spike_count_hinge", outputsPerClass: 2 })).engine;
    const errors = outputErrorsQ16(engine, Int32Array.from([25, 12, 2, 9, 3, 4]), 0);
    expect(Array.from(errors).map((e) => e / 65536)).toEqual([0, 8, 0, -5, 0, 0]);
    const float = floatTwin(createLearningChip(compileTiny(tinySource(8, 6)), engine.settings));
    expect(Array.from(outputErrors(float, Int32Array.from([25, 12, 2, 9, 3, 4]), 0, new Float64Array(6)))).toEqual([0, 8, 0, -5, 0, 0]);
    expect(() => createLearningChip(compileTiny(tinySource(8, 6)), tinySettings({ outputsPerClass: 4 }))).toThrow(/outputs_per_class = 4 does not divide the 6 neurons/);
  });
});
