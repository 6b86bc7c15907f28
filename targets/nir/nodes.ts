/**
 * @fileoverview What each NIR weight node does to the signal of a path (targets/nir/operators.ts):
 * Affine/Linear multiply by their matrix, Scale scales, Conv1d/Conv2d/SumPool2d/AvgPool2d convolve
 * (dilation becomes zero taps, 'same'/'valid' padding becomes numbers, Conv1d a height-1 Conv2d,
 * pooling a depthwise kernel of ones or 1/(kh·kw)), Flatten reshapes, Delay delays (whole steps of
 * dt), and the pass-through nodes of inlined subgraphs do nothing. Biases are handled by the caller.
 */
import { field, intField, NirError, pairField, shapeField, sizeOf, type NirArray, type NirNode } from "./graph.ts";
import { applyConv, applyDelay, applyMatrix, convOutput, reshape, scaleSignal, type ConvSpec, type Signal } from "./operators.ts";

export interface NodeContext {
  dtMs: number;
}

export function applyNode(node: NirNode, where: string, signal: Signal, context: NodeContext): Signal {
  switch (node.type) {
    case "Affine":
    case "Linear": {
      const weight = field(node, "weight", where);
      const [rows, cols] = matrixShape(weight, where);
      return applyMatrix(signal, rows, cols, weight.values, [rows], where);
    }
    case "Scale":
      return scaleSignal(signal, field(node, "scale", where).values, where);
    case "Conv2d":
    case "Conv1d":
      return applyConv(signal, convolution(node, where, signal), where);
    case "SumPool2d":
    case "AvgPool2d":
      return applyConv(signal, pooling(node, where, signal), where);
    case "Flatten":
      return reshape(signal, flattened(node, where, signal.shape), where);
    case "Delay":
      return applyDelay(signal, delaySteps(field(node, "delay", where), context.dtMs, where), where);
    case "Identity":
    case "Output":
      return signal;
  }
  throw new NirError(`${where} cannot stand between neurons`);
}

/** The bias of an Affine or convolution (per output, or per output channel), or null. */
export function biasOf(node: NirNode): Float64Array | null {
  if (node.type !== "Affine" && node.type !== "Conv1d" && node.type !== "Conv2d") return null;
  const bias = node.fields.get("bias");
  return bias && typeof bias !== "string" ? bias.values : null;
}

function matrixShape(weight: NirArray, where: string): [number, number] {
  const dims = weight.shape;
  if (dims.length < 2 || dims.slice(0, -2).some((d) => d !== 1)) throw new NirError(`${where}: 'weight' has shape [${dims.join(", ")}]; expected [outputs, inputs]`);
  return [dims[dims.length - 2], dims[dims.length - 1]];
}

/** Conv2d (torch layout: weight [C_out, C_in/groups, kH, kW]) or Conv1d as a height-1 Conv2d. */
function convolution(node: NirNode, where: string, signal: Signal): ConvSpec {
  const weight = field(node, "weight", where);
  const twoD = node.type === "Conv2d";
  if (weight.shape.length !== (twoD ? 4 : 3)) throw new NirError(`${where}: 'weight' has shape [${weight.shape.join(", ")}]; expected [C_out, C_in/groups, ${twoD ? "kH, kW" : "k"}]`);
  const groups = intField(node, "groups", 1, where);
  const outC = weight.shape[0];
  const inC = weight.shape[1] * groups;
  if (groups < 1 || outC % groups !== 0) throw new NirError(`${where}: groups = ${groups} must divide the ${outC} output channels`);
  const kernel: [number, number] = twoD ? [weight.shape[2], weight.shape[3]] : [1, weight.shape[2]];
  // A Conv1d is a Conv2d over [C, 1, L]: stride and dilation 1 along the height.
  const pairOf = (name: string): [number, number] => (twoD ? pairField(node, name, [1, 1], where) : [1, intField(node, name, 1, where)]);
  const stride = pairOf("stride");
  const dilation = pairOf("dilation");
  const spatial = inputSpatial(node, where, signal, inC, twoD);
  const dilated: [number, number] = [dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1];
  const padding = paddingOf(node, where, dilated, stride, twoD);
  const inShape: [number, number, number] = [inC, spatial[0], spatial[1]];
  const outShape: [number, number, number] = [outC, convOutput(spatial[0], dilated[0], stride[0], padding[0]), convOutput(spatial[1], dilated[1], stride[1], padding[1])];
  if (outShape[1] < 1 || outShape[2] < 1) throw new NirError(`${where}: the kernel does not fit its ${spatial.join("×")} input`);
  // Dilation: the same kernel with dilation − 1 zero taps between its entries.
  const weights = new Float64Array(outC * weight.shape[1] * dilated[0] * dilated[1]);
  const blocks = outC * weight.shape[1];
  for (let blk = 0; blk < blocks; blk++) {
    for (let y = 0; y < kernel[0]; y++) {
      for (let x = 0; x < kernel[1]; x++) weights[(blk * dilated[0] + y * dilation[0]) * dilated[1] + x * dilation[1]] = weight.values[(blk * kernel[0] + y) * kernel[1] + x];
    }
  }
  return { inShape, outShape, kernel: dilated, stride, padding, groups, weights };
}

/** (H, W) of a convolution's input: its input_shape field, else the shape of what arrives. */
function inputSpatial(node: NirNode, where: string, signal: Signal, channels: number, twoD: boolean): [number, number] {
  const given = node.fields.get("input_shape");
  let spatial: [number, number] | null = null;
  if (given && typeof given !== "string") spatial = twoD ? pairField(node, "input_shape", [1, 1], where) : [1, intField(node, "input_shape", 1, where)];
  else if (signal.shape.length >= 2 && signal.shape[0] === channels) {
    const rest = signal.shape.slice(1);
    // A Conv1d input may already be a height-1 feature map [C, 1, L] (a layer shaped by an earlier Conv1d).
    spatial = twoD && rest.length === 2 ? [rest[0], rest[1]] : !twoD && rest.length === 1 ? [1, rest[0]] : !twoD && rest.length === 2 && rest[0] === 1 ? [1, rest[1]] : null;
  } else if (!twoD && sizeOf(signal.shape) % channels === 0) spatial = [1, sizeOf(signal.shape) / channels];
  if (!spatial) throw new NirError(`${where} has no input_shape and receives a signal of shape [${signal.shape.join(", ")}]; give the node its input_shape`);
  if (channels * spatial[0] * spatial[1] !== sizeOf(signal.shape)) {
    throw new NirError(`${where} expects ${channels}×${spatial.join("×")} = ${channels * spatial[0] * spatial[1]} inputs but receives ${sizeOf(signal.shape)} (shape [${signal.shape.join(", ")}])`);
  }
  return spatial;
}

function paddingOf(node: NirNode, where: string, dilatedKernel: [number, number], stride: [number, number], twoD: boolean): [number, number] {
  const value = node.fields.get("padding");
  if (value === "valid" || value === undefined) return [0, 0];
  if (value === "same") {
    return [0, 1].map((d) => {
      const total = dilatedKernel[d] - 1;
      if (stride[d] !== 1 || total % 2 !== 0) throw new NirError(`${where}: padding 'same' with stride ${stride[d]} and kernel ${dilatedKernel[d]} pads unevenly; give the padding as numbers`);
      return total / 2;
    }) as [number, number];
  }
  return twoD ? pairField(node, "padding", [0, 0], where) : [0, intField(node, "padding", 0, where)];
}

/** SumPool2d / AvgPool2d as a depthwise convolution with a constant kernel. */
function pooling(node: NirNode, where: string, signal: Signal): ConvSpec {
  const kernel = pairField(node, "kernel_size", [1, 1], where);
  const stride = pairField(node, "stride", kernel, where);
  const padding = pairField(node, "padding", [0, 0], where);
  const shape = signal.shape.length === 3 ? signal.shape : signal.shape.length === 2 ? [1, ...signal.shape] : null;
  if (!shape) throw new NirError(`${where} pools a signal of shape [${signal.shape.join(", ")}]; pooling needs [channels, height, width]`);
  const [channels, height, width] = shape;
  const outShape: [number, number, number] = [channels, convOutput(height, kernel[0], stride[0], padding[0]), convOutput(width, kernel[1], stride[1], padding[1])];
  if (outShape[1] < 1 || outShape[2] < 1) throw new NirError(`${where}: a ${kernel.join("×")} window does not fit its ${height}×${width} input`);
  const value = node.type === "AvgPool2d" ? 1 / (kernel[0] * kernel[1]) : 1;
  return { inShape: [channels, height, width], outShape, kernel, stride, padding, groups: channels, weights: new Float64Array(channels * kernel[0] * kernel[1]).fill(value) };
}

/** NIR Flatten (torch semantics on the node's input shape); only the element count matters to the chip. */
function flattened(node: NirNode, where: string, shape: number[]): number[] {
  const given = shapeField(node, "input_type", where);
  const input = given && sizeOf(given) === sizeOf(shape) ? given : shape;
  const rank = input.length;
  const norm = (d: number) => (d < 0 ? d + rank : d);
  const start = norm(intField(node, "start_dim", 1, where));
  const end = norm(intField(node, "end_dim", -1, where));
  if (start < 0 || end >= rank || start > end) return [sizeOf(input)];
  return [...input.slice(0, start), sizeOf(input.slice(start, end + 1)), ...input.slice(end + 1)];
}

/** NIR delays (seconds) as whole steps of dt. */
function delaySteps(delay: NirArray, dtMs: number, where: string): Int32Array {
  return Int32Array.from(delay.values, (seconds) => {
    const steps = Math.round((seconds * 1000) / dtMs);
    if (seconds < 0) throw new NirError(`${where}: a delay of ${seconds} s is negative`);
    if (Math.abs(steps * dtMs - seconds * 1000) > 1e-6 * Math.max(dtMs, seconds * 1000)) {
      throw new NirError(`${where}: a delay of ${seconds} s is not a whole number of steps of dt = ${dtMs} ms`);
    }
    return steps;
  });
}
