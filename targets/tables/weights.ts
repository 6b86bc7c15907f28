/**
 * @fileoverview Plain weight tables for anyone's scripts: every stored synapse with its mantissa,
 * exponent and scale (a synapse adds mantissa · 2^shift LSB, shift = weightShift + exponent), plus
 * the neuron constants of every population. `csv`: populations.csv, projections.csv, synapses.csv;
 * `json`: one object. docs/targets.md ("csv and json") lists every column and key.
 */
import type { ChipNetwork, Population, Projection } from "../../compiler/ir.ts";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";
import { csvLine } from "../printers/text.ts";

interface SynapseList {
  pre: number[];
  post: number[];
  mantissa: number[];
  exponent: number[];
  delay: number[];
}

function synapsesOf(network: ChipNetwork, p: Projection): SynapseList {
  const source = network.populations[p.source];
  const target = network.populations[p.target];
  const perChannel = p.channelExponents ? target.size / p.channelExponents.length : 0;
  const list: SynapseList = { pre: [], post: [], mantissa: [], exponent: [], delay: [] };
  forEachStoredSynapse(p, source, target, (pre, post, k) => {
    list.pre.push(pre);
    list.post.push(post);
    list.mantissa.push(p.connectivity.weights[k]);
    list.exponent.push(p.channelExponents ? p.channelExponents[Math.floor(post / perChannel)] : p.weightExponent);
    list.delay.push(p.delays && p.connectivity.kind !== "conv2d" ? p.delays[k] : p.delaySteps);
  });
  return list;
}

function populationRow(pop: Population, index: number) {
  const n = pop.neuron;
  const d = n?.decay;
  return {
    index,
    name: pop.name,
    kind: pop.kind,
    size: pop.size,
    shape: pop.shape,
    firstNeuron: pop.firstNeuron,
    model: n?.model ?? pop.encoder!.kind,
    decay: d?.kind ?? "",
    currentDecay: d ? (d.kind === "multiply" ? d.currentRetain : d.currentShift) : "",
    voltageDecay: d ? (d.kind === "multiply" ? d.voltageRetain : d.voltageShift) : "",
    threshold: n?.threshold ?? "",
    bias: n?.bias ?? "",
    reset: n?.reset.kind ?? "",
    resetValue: n?.reset.kind === "value" ? n.reset.value : "",
    refractorySteps: n?.refractorySteps ?? "",
  };
}

export function exportCsv(network: ChipNetwork): Map<string, string> {
  const shift = network.chip.formats.weightShift;
  let populations = csvLine(["index", "name", "kind", "size", "shape", "first_neuron", "model", "decay", "current_decay", "voltage_decay", "threshold", "bias", "reset", "reset_value", "refractory_steps"]);
  network.populations.forEach((pop, i) => {
    const r = populationRow(pop, i);
    populations += csvLine([r.index, r.name, r.kind, r.size, r.shape.join("x"), r.firstNeuron, r.model, r.decay, r.currentDecay, r.voltageDecay, r.threshold, r.bias, r.reset, r.resetValue, r.refractorySteps]);
  });
  let projections = csvLine(["index", "name", "source", "target", "connectivity", "synapses", "weight_bits", "weight_exponent", "weight_shift", "scale_lsb", "delay_steps"]);
  let synapses = csvLine(["projection", "pre", "post", "pre_id", "post_id", "mantissa", "exponent", "scale_lsb", "weight_lsb", "delay_steps"]);
  network.projections.forEach((p, i) => {
    const list = synapsesOf(network, p);
    const source = network.populations[p.source];
    const target = network.populations[p.target];
    const exponent = p.channelExponents ? "per_channel" : p.weightExponent;
    const scale = p.channelExponents ? "per_channel" : 2 ** (shift + p.weightExponent);
    projections += csvLine([i, p.name, source.name, target.name, p.connectivity.kind, list.pre.length, p.weightBits, exponent, shift, scale, p.delays ? "per_synapse" : p.delaySteps]);
    for (let k = 0; k < list.pre.length; k++) {
      const s = 2 ** (shift + list.exponent[k]);
      synapses += csvLine([i, list.pre[k], list.post[k], source.firstNeuron + list.pre[k], target.firstNeuron + list.post[k], list.mantissa[k], list.exponent[k], s, list.mantissa[k] * s, list.delay[k]]);
    }
  });
  return new Map([["populations.csv", populations], ["projections.csv", projections], ["synapses.csv", synapses]]);
}

export function exportJson(network: ChipNetwork): string {
  const shift = network.chip.formats.weightShift;
  const json = {
    network: network.name,
    chip: network.chip.preset,
    dtUs: network.dtUs,
    weightShift: shift,
    currentBits: network.chip.formats.currentBits,
    voltageBits: network.chip.formats.voltageBits,
    populations: network.populations.map((pop, i) => {
      const { index: _index, ...row } = populationRow(pop, i);
      return { ...row, encoder: pop.encoder ?? null, initialVoltage: pop.initialVoltage ? Array.from(pop.initialVoltage) : null };
    }),
    projections: network.projections.map((p) => {
      const list = synapsesOf(network, p);
      const c = p.connectivity;
      return {
        name: p.name,
        source: network.populations[p.source].name,
        target: network.populations[p.target].name,
        connectivity: c.kind,
        conv: c.kind === "conv2d" ? { kernel: c.kernel, stride: c.stride, padding: c.padding, groups: c.groups, weights: Array.from(c.weights) } : null,
        weightBits: p.weightBits,
        weightExponent: p.weightExponent,
        channelExponents: p.channelExponents ? Array.from(p.channelExponents) : null,
        scaleLsb: 2 ** (shift + p.weightExponent),
        delaySteps: p.delaySteps,
        synapses: { pre: list.pre, post: list.post, mantissa: list.mantissa, exponent: list.exponent, delay: list.delay },
      };
    }),
  };
  return JSON.stringify(json) + "\n";
}
