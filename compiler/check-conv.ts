/**
 * @fileoverview Checks of convolution and pooling connections: feature-map shapes, the output shape
 * the target must have, channel groups, and the `or` target that max pooling needs. Pooling becomes
 * a depthwise convolution (groups = channels) with a constant kernel: sum pooling with weight w,
 * average pooling with w / (k·k), max pooling — "a spike passes if any input spiked" — with unit
 * weights into an `or` layer, which fires whenever any input arrives.
 */
import type { Span } from "../dsl/ast.ts";
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import type { CheckedConnection, CheckedPopulation } from "./checked.ts";
import { asFeatureMap, convOutputSize } from "./synapses.ts";

export type ConvKind = "conv2d" | "sum_pool" | "avg_pool" | "max_pool";

export interface ConvPlan {
  conv: NonNullable<CheckedConnection["conv"]>;
  /** Shape the weight array must have: [C', C/groups, kh, kw]. */
  weightShape: number[];
  /** Pooling: every kernel entry is this weight (times the user's `weight`); null for conv2d. */
  poolWeightScale: number | null;
}

/**
 * Works out the geometry; `kernel` is the square kernel size (for conv2d possibly taken from the
 * weight file by the caller). Normalises [H, W] populations to [1, H, W]. Returns null on error.
 */
export function planConvolution(
  kind: ConvKind,
  params: { kernel: number; stride: number; padding: number; groups: number },
  source: CheckedPopulation,
  target: CheckedPopulation,
  span: Span,
  diagnostics: Diagnostic[],
): ConvPlan | null {
  const inMap = asFeatureMap(source.shape);
  const outMap = asFeatureMap(target.shape);
  const name = `${kind} from '${source.name}' to '${target.name}'`;
  if (!inMap || !outMap) {
    const flat = !inMap ? source : target;
    diagnostics.push(error("E107", `${name}: '${flat.name}' has shape [${flat.shape.join(", ")}]; convolution and pooling need feature maps [channels, height, width] or [height, width]`, span));
    return null;
  }
  const [inChannels, inHeight, inWidth] = inMap;
  const { kernel, stride, padding } = params;
  const pooling = kind !== "conv2d";
  const groups = pooling ? inChannels : params.groups;
  const outChannels = pooling ? inChannels : outMap[0];
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    diagnostics.push(error("E107", `${name}: groups = ${groups} must divide both channel counts (${inChannels} in, ${outChannels} out)`, span));
    return null;
  }
  const outHeight = convOutputSize(inHeight, kernel, stride, padding);
  const outWidth = convOutputSize(inWidth, kernel, stride, padding);
  if (outHeight < 1 || outWidth < 1) {
    diagnostics.push(error("E107", `${name}: a ${kernel}×${kernel} kernel does not fit a ${inHeight}×${inWidth} input with padding ${padding}`, span));
    return null;
  }
  const expected = [outChannels, outHeight, outWidth];
  if (outMap[0] !== expected[0] || outMap[1] !== expected[1] || outMap[2] !== expected[2]) {
    diagnostics.push(error("E107", `${name}: the output has shape [${expected.join(", ")}] (kernel ${kernel}, stride ${stride}, padding ${padding}), but '${target.name}' is declared [${target.shape.join(", ")}]`, span));
    return null;
  }
  if (kind === "max_pool" && target.neuron?.model !== "or") {
    diagnostics.push(error("E107", `max_pool passes a spike when any input spiked, so its target must be an 'or' layer: layer ${target.name}[${target.shape.join(", ")}] : or();`, span));
    return null;
  }
  source.shape = [...inMap];
  target.shape = [...outMap];
  return {
    conv: { kernel: [kernel, kernel], stride: [stride, stride], padding: [padding, padding], groups },
    weightShape: [outChannels, inChannels / groups, kernel, kernel],
    poolWeightScale: kind === "conv2d" ? null : kind === "avg_pool" ? 1 / (kernel * kernel) : 1,
  };
}
