/**
 * @fileoverview The synapses of one projection, one presynaptic neuron ("row") at a time, for
 * every connectivity kind of compiler/ir.ts; used by flatten.ts to build the merged CSR.
 *
 * Each synapse gets a key = delay·64 + (shift + 31) with shift = weightShift + exponent (the
 * channel's exponent when the projection has per-channel ones), clamped to [−31, 32] — beyond that
 * range nothing changes: a 16-bit mantissa divided by 2^31 toward zero is 0, and m << 32 is 0
 * modulo 2^32. Synapses with the same key share a segment of the CSR. A projection with one delay
 * and one exponent has a single key, and then the rows carry no keys at all (the common, fast case).
 */
import type { Population, Projection } from "../compiler/ir.ts";

/** The nonzero synapses of one presynaptic neuron: target (local index), mantissa and key. */
export interface Row {
  len: number;
  post: Int32Array;
  weight: Int32Array;
  /** Per-synapse keys; only filled when the walker has no uniform key. */
  key: Int32Array;
}

export interface RowWalker {
  /** The key of every synapse, or −1 when keys differ between synapses. */
  uniformKey: number;
  row: Row;
  /** Fills `row` with the synapses of source neuron `pre`. */
  fill(pre: number): void;
}

export const KEY_SHIFT_BITS = 6;
export const keyDelay = (key: number): number => key >> KEY_SHIFT_BITS;
export const keyShift = (key: number): number => (key & 63) - 31;

export function fail(message: string): never {
  throw new Error(`invalid chip network: ${message}`);
}

function keyOf(delay: number, shift: number): number {
  return delay * 64 + Math.min(Math.max(shift, -31), 32) + 31;
}

/** [C, H, W] of a population read as a feature map ([H, W] is one channel). */
function featureMap(pop: Population, what: string): [number, number, number] {
  const s = pop.shape;
  const map: [number, number, number] | null = s.length === 3 ? [s[0], s[1], s[2]] : s.length === 2 ? [1, s[0], s[1]] : null;
  if (!map || map[0] * map[1] * map[2] !== pop.size) fail(`${what}: ${pop.name} is not a feature map`);
  return map;
}

/** Prepares the row walk of `proj`, checking its tables against the populations. */
export function rowWalker(
  proj: Projection, source: Population, target: Population, weightShift: number, maxDelay: number,
): RowWalker {
  const c = proj.connectivity;
  const S = source.size, T = target.size;
  const w = c.weights;
  const delays = proj.delays;
  const name = proj.name;
  const checkDelay = (d: number): void => {
    if (!(Number.isInteger(d) && d >= 1 && d <= maxDelay)) fail(`${name}: delay ${d} outside [1, ${maxDelay}]`);
  };
  if (!delays) checkDelay(proj.delaySteps);
  else if (c.kind === "conv2d") fail(`${name}: a convolution cannot have per-synapse delays`);
  else for (const d of delays) checkDelay(d);
  if (!Number.isInteger(weightShift + proj.weightExponent)) fail(`${name}: weight exponent ${proj.weightExponent}`);

  // shift per target neuron when exponents are per output channel
  const channels = proj.channelExponents;
  let shiftOf: Int32Array | null = null;
  if (channels) {
    const perChannel = T / channels.length;
    if (!Number.isInteger(perChannel)) fail(`${name}: ${channels.length} channel exponents for ${T} targets`);
    shiftOf = new Int32Array(T);
    for (let n = 0; n < T; n++) shiftOf[n] = weightShift + channels[Math.floor(n / perChannel)];
    for (const s of shiftOf) if (!Number.isInteger(s)) fail(`${name}: channel exponent`);
  }
  const uniformKey = delays || shiftOf ? -1 : keyOf(proj.delaySteps, weightShift + proj.weightExponent);

  let cap = c.kind === "oneToOne" ? 1 : T;
  let expected = c.kind === "dense" ? S * T : c.kind === "oneToOne" ? S : w.length;
  let conv: { inH: number; inW: number; outH: number; outW: number; inPerGroup: number; outPerGroup: number } | null = null;
  if (c.kind === "sparse") {
    if (c.rowStart.length !== S + 1 || c.post.length !== w.length) fail(`${name}: malformed CSR`);
    for (let i = 0; i < S; i++) cap = Math.max(cap, c.rowStart[i + 1] - c.rowStart[i]);
  } else if (c.kind === "oneToOne" && S !== T) {
    fail(`${name}: oneToOne between sizes ${S} and ${T}`);
  } else if (c.kind === "conv2d") {
    const [inC, inH, inW] = featureMap(source, name), [outC, outH, outW] = featureMap(target, name);
    const [kh, kw] = c.kernel, g = c.groups;
    const out = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;
    if (!(g >= 1 && inC % g === 0 && outC % g === 0) || out(inH, kh, c.stride[0], c.padding[0]) !== outH
      || out(inW, kw, c.stride[1], c.padding[1]) !== outW) fail(`${name}: convolution geometry`);
    conv = { inH, inW, outH, outW, inPerGroup: inC / g, outPerGroup: outC / g };
    expected = outC * conv.inPerGroup * kh * kw;
    cap = conv.outPerGroup * kh * kw;
  }
  if (w.length !== expected) fail(`${name}: ${w.length} weights, expected ${expected}`);
  if (delays && delays.length !== expected) fail(`${name}: ${delays.length} delays, expected ${expected}`);

  const row: Row = { len: 0, post: new Int32Array(cap), weight: new Int32Array(cap), key: new Int32Array(uniformKey < 0 ? cap : 0) };
  const { post, weight, key } = row;
  /** Appends synapse (target t, weight index k) if its mantissa is nonzero. */
  const add = (t: number, k: number): void => {
    const m = w[k];
    if (m === 0) return; // zero mantissa: no synapse (docs/chip.md §3)
    if (!(m >= -32768 && m <= 32767 && Number.isInteger(m))) fail(`${name}: mantissa ${m} does not fit 16 bits`);
    post[row.len] = t;
    weight[row.len] = m;
    if (uniformKey < 0) key[row.len] = keyOf(delays ? delays[k] : proj.delaySteps, shiftOf ? shiftOf[t] : weightShift + proj.weightExponent);
    row.len++;
  };

  const fill = (pre: number): void => {
    row.len = 0;
    switch (c.kind) {
      case "sparse":
        for (let k = c.rowStart[pre], end = c.rowStart[pre + 1]; k < end; k++) {
          const t = c.post[k];
          if (!(t >= 0 && t < T)) fail(`${name}: target ${t} out of range`);
          add(t, k);
        }
        return;
      case "dense":
        for (let t = 0, k = pre; t < T; t++, k += S) add(t, k);
        return;
      case "oneToOne":
        add(pre, pre);
        return;
      case "conv2d": {
        // invert the receptive field: input (ch, y, x) feeds output (o, i, j) through tap (ky, kx)
        // when i·stride − padding + ky = y (and likewise for x)
        const { inH, inW, outH, outW, inPerGroup, outPerGroup } = conv!;
        const [kh, kw] = c.kernel, [sy, sx] = c.stride, [py, px] = c.padding;
        const ch = Math.floor(pre / (inH * inW)), y = Math.floor(pre / inW) % inH, x = pre % inW;
        const group = Math.floor(ch / inPerGroup), ci = ch - group * inPerGroup;
        for (let o = group * outPerGroup; o < (group + 1) * outPerGroup; o++) {
          for (let ky = 0; ky < kh; ky++) {
            const dy = y + py - ky;
            if (dy < 0 || dy % sy !== 0 || dy / sy >= outH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const dx = x + px - kx;
              if (dx < 0 || dx % sx !== 0 || dx / sx >= outW) continue;
              add((o * outH + dy / sy) * outW + dx / sx, ((o * inPerGroup + ci) * kh + ky) * kw + kx);
            }
          }
        }
        return;
      }
    }
  };
  return { uniformKey, row, fill };
}
