/**
 * @fileoverview `neurocc train NET --data … --epochs N`: trains a network with a `learn` block on
 * the emulated chip (emulator/learning/, docs/learning.md §11). Progress on stderr (samples per
 * second, running accuracy, spikes per sample, ETA); after each epoch the test-split accuracy on
 * stdout (with `weight_average`, of the averaged weights). With --checkpoint DIR it writes, atomically,
 * DIR/checkpoint.nchip (the learned network as the chip infers with it, i.e. the averaged weights
 * under `weight_average`; a chip image `neurocc eval` and `neurocc run` read) and DIR/resume.bin (the
 * trained weights plus the learning state) every --checkpoint-every samples and after each epoch; --resume continues from
 * DIR/resume.bin exactly as if the run had not stopped, so a killed run loses at most one interval.
 * --keep-epochs also keeps each epoch's image as DIR/epoch-N.nchip.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type TrainingPosition } from "../../emulator/learning/checkpoint.ts";
import { learningCost, networkForInference, type LearningChip } from "../../emulator/learning/index.ts";
import { NO_AUGMENTATION } from "../../learn/augment.ts";
import { evaluateChip, sameStructure, trainChipEpoch, type ChipProgress } from "../../learn/chip-training.ts";
import { encodeImage } from "../../compiler/image.ts";
import { CliError, loadNetwork, readBytes, writeAtomic } from "../files.ts";
import type { KernelName } from "../../emulator/learning/index.ts";
import { asCliError, formatEvaluation, kernelOption, learningChipOf, learningKernel, loadSplit } from "../learning-data.ts";
import { numberIn, wholeNumber, withDataSetOptions } from "./options.ts";

interface TrainOptions {
  data: string;
  labels?: string;
  kernel: KernelName;
  epochs: number;
  seed?: number;
  limit?: number;
  checkpoint?: string;
  checkpointEvery: number;
  resume?: boolean;
  keepEpochs?: boolean;
  lrHalveEvery?: number;
  mirror?: boolean;
  shift?: number;
  elastic?: number;
  elasticRadius?: number;
}

export function register(program: Command): void {
  withDataSetOptions(program
    .command("train")
    .description("train a network with a learn block on the emulated chip (SFDFA or DFA, fixed point)")
    .argument("<network>", "network (.snn) or chip image (.nchip) with a learn block"))
    .requiredOption("--epochs <n>", "epochs to train (in total, counting resumed ones)", wholeNumber(1))
    .option("--seed <s>", "training seed: epoch orders, encoder draws, ε and rounding (default: the network's)", wholeNumber(0))
    .option("--limit <k>", "use only the first k samples of each split", wholeNumber(1))
    .option("--checkpoint <dir>", "write checkpoints to this folder")
    .option("--checkpoint-every <samples>", "samples between checkpoints (rounded up to whole batches)", wholeNumber(1), 5000)
    .option("--resume", "continue from the checkpoint in --checkpoint DIR")
    .option("--keep-epochs", "also keep each epoch's chip image as DIR/epoch-N.nchip (e.g. to compare or average epochs)")
    .option("--lr-halve-every <epochs>", "halve the learn block's lr every this many epochs (a resumed run needs the same value)", wholeNumber(1))
    .option("--mirror", "show half of the training images mirrored left–right, a new choice every epoch (garments, not digits; learn/augment.ts; a resumed run needs the same flag)")
    .option("--shift <pixels>", "show each training image translated by up to this many pixels, a new shift every epoch (learn/augment.ts; a resumed run needs the same value)", wholeNumber(1))
    .option("--elastic <alpha>", "show each training image elastically distorted, field scale α in pixels (Simard et al. 2003; learn/augment.ts; a resumed run needs the same value)", numberIn(0, 1000))
    .option("--elastic-radius <pixels>", "radius of the box blurs that smooth the elastic field", wholeNumber(1), 4)
    .addOption(kernelOption())
    .action(async (file: string, options: TrainOptions) => {
      const source = loadNetwork(file);
      const kernel = await learningKernel(options.kernel);
      let seed = options.seed ?? source.seed;
      let chip = learningChipOf(source, file, seed, kernel);
      let position: TrainingPosition = { epoch: 0, nextSample: 0, seed };
      const resumePath = options.checkpoint ? join(options.checkpoint, "resume.bin") : null;
      if (options.keepEpochs && !options.checkpoint) throw new CliError("--keep-epochs needs --checkpoint DIR (the folder to keep them in)");
      if (options.resume) {
        if (!resumePath) throw new CliError("--resume needs --checkpoint DIR (the folder of the run to continue)");
        ({ chip, position } = resumeFrom(resumePath, source, file, options.seed, kernel));
        seed = position.seed;
      } else if (resumePath && existsSync(resumePath)) {
        throw new CliError(`${options.checkpoint} already holds a checkpoint; continue it with --resume, or choose another folder`);
      }
      const samplesBefore = chip.engine.samplesSeen;
      const train = loadSplit(options, "train");
      const test = loadSplit(options, "test");
      const batch = chip.engine.settings.batchSize;
      const interval = Math.ceil(options.checkpointEvery / batch) * batch;
      const save = (where: TrainingPosition) => {
        if (!options.checkpoint) return;
        writeAtomic(join(options.checkpoint, "checkpoint.nchip"), encodeImage(networkForInference(chip)));
        writeAtomic(resumePath!, encodeCheckpoint(chip, where));
      };
      process.stderr.write(`train ${file} (${chip.engine.settings.rule}) on ${train.name}: ${train.labels.length} samples/epoch, test ${test.labels.length}, seed ${seed}${position.epoch > 0 || position.nextSample > 0 ? `, resuming at epoch ${position.epoch + 1} sample ${position.nextSample}` : ""}\n`);
      for (let epoch = position.epoch; epoch < options.epochs; epoch++) {
        const startSample = epoch === position.epoch ? position.nextSample : 0;
        try {
          trainChipEpoch(chip, train, {
            epoch, seed, startSample, learningRateHalvingEpochs: options.lrHalveEvery,
            augmentation: { mirror: options.mirror === true, maxShiftPixels: options.shift ?? 0, elasticAlphaPixels: options.elastic ?? 0, elasticRadiusPixels: options.elasticRadius ?? NO_AUGMENTATION.elasticRadiusPixels },
            onBatch: (p) => {
              showProgress(p, options.epochs);
              if (p.samplesDone % interval === 0 && p.samplesDone < p.samplesTotal) save({ epoch, nextSample: p.samplesDone, seed });
            },
          });
          if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
          save({ epoch: epoch + 1, nextSample: 0, seed });
          if (options.checkpoint && options.keepEpochs) writeAtomic(join(options.checkpoint, `epoch-${epoch + 1}.nchip`), encodeImage(networkForInference(chip)));
          const evaluation = evaluateChip(chip, test, seed);
          process.stdout.write(`epoch ${epoch + 1}/${options.epochs}: ${formatEvaluation(evaluation, `test accuracy on ${test.name}`).split("\n")[0]}\n`);
        } catch (e) {
          asCliError(e);
        }
      }
      process.stdout.write(costLine(chip, chip.engine.samplesSeen - samplesBefore) + "\n");
    });
}

function resumeFrom(path: string, source: Parameters<typeof sameStructure>[0], file: string, seed: number | undefined, kernel: WebAssembly.Module | undefined): { chip: LearningChip; position: TrainingPosition } {
  try {
    const { network, payload } = decodeCheckpoint(readBytes(path, "checkpoint"), path);
    if (!sameStructure(network, source)) throw new CliError(`${path} is a checkpoint of network '${network.name}' with other layers or connections than ${file}; it cannot be resumed with this network`);
    if (seed !== undefined && seed !== payload.position.seed) throw new CliError(`${path} was trained with --seed ${payload.position.seed}; resume it with that seed (or without --seed)`);
    const chip = learningChipOf(network, path, payload.position.seed, kernel);
    return { chip, position: restoreCheckpoint(chip, payload, path) };
  } catch (e) {
    if (e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
}

function showProgress(p: ChipProgress, epochs: number): void {
  const rate = p.samplesThisRun / Math.max(p.seconds, 1e-9);
  const eta = (p.samplesTotal - p.samplesDone) / Math.max(rate, 1e-9);
  const line = `epoch ${p.epoch + 1}/${epochs} ${p.samplesDone}/${p.samplesTotal}  ${rate.toFixed(0)} samples/s  running accuracy ${(100 * p.runningAccuracy).toFixed(1)}%  ${p.spikesPerSample.toFixed(1)} spikes/sample  ETA ${formatSeconds(eta)}`;
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${line}`);
  } else if (p.samplesDone === p.samplesTotal || p.seconds - lastLogSeconds >= 10) {
    // Not a terminal (a log file): one line every 10 s of an epoch and one at its end.
    lastLogSeconds = p.samplesDone === p.samplesTotal ? 0 : p.seconds;
    process.stderr.write(`${line}\n`);
  }
}

let lastLogSeconds = 0;

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Cycles and energy per training sample of this run (the chip's work counters start at zero in each process). */
function costLine(chip: LearningChip, samplesThisRun: number): string {
  const cost = learningCost(chip);
  const samples = Math.max(samplesThisRun, 1);
  return `chip cost per training sample: ${(cost.cycles / samples).toFixed(0)} cycles, ${(cost.energyPj / samples / 1e6).toFixed(3)} µJ (cost model of emulator/learning/index.ts; ${cost.memoryBitsPerSynapse} bits of learning state per synapse)`;
}
