/**
 * @fileoverview The memory contract between the wasm chip core (emulator/assembly/) and its host
 * (emulator/wasm.ts): word indices of the header and of the per-population and per-probe records.
 *
 * This one file is compiled by both tsc (for the host) and asc (imported by the core), so the two
 * sides cannot drift apart. It must therefore stay in the common subset of TypeScript and
 * AssemblyScript: only integer `const` declarations.
 *
 * The host owns the memory: it writes every table into linear memory, puts the pointers into a
 * header of HEADER_WORDS i32 words (word w at byte headerPtr + 4w) and calls `init(headerPtr)`.
 * "Internal" neuron indices are the global ids with each population padded to a multiple of
 * POP_ALIGN, so that every population starts on a 64-byte boundary and the SIMD update can take
 * four i32x4 vectors per iteration without a tail.
 */

/** SIMD width: neurons per i32x4 vector. */
export const LANES = 4;
/** Populations are padded to a multiple of this many internal slots (four vectors). */
export const POP_ALIGN = 16;

// ---- header: i32 words ------------------------------------------------------------------------
/** Internal neuron slots (sum of padded population sizes), a multiple of POP_ALIGN. */
export const H_NPAD = 0;
/** Slots of the delay ring, maxDelaySteps + 1. */
export const H_RING = 1;
export const H_POPS = 2;
/** Population records, POP_WORDS i32 each, in internal (= global id) order. */
export const H_POP_TABLE = 3;
/**
 * i32[nPad] state: membrane voltage, synaptic current, and the refractory state as the first step
 * at which the neuron is free again (a neuron spiking at t with refractorySteps R holds t + R + 1;
 * busy while step < that). It is the §2 down-counter r = max(0, end − t) without the per-step
 * decrement, which saves two SIMD operations per four neurons; a run starts from 0 (free).
 */
export const H_V = 4;
export const H_U = 5;
export const H_REF = 6;
/** i32[ring][nPad] input accumulators; slot s starts at acc + s·nPad·4. */
export const H_ACC = 7;
/** i32[nPad+1]: segments of internal neuron n are segStart[n] .. segStart[n+1]-1. */
export const H_SEG_START = 8;
/** i32[nSeg+1]: synapses of segment k are segSyn[k] .. segSyn[k+1]-1. */
export const H_SEG_SYN = 9;
/** i32[nSeg]: delay in steps of every synapse of the segment. */
export const H_SEG_DELAY = 10;
/** i32[nSeg]: weightShift + exponent; negative means an arithmetic right shift. */
export const H_SEG_SHIFT = 11;
/** u32[nSyn]: target as a byte offset into an accumulator row (internal index · 4), see H_POST_BITS. */
export const H_POST = 12;
/** i16[nSyn]: weight mantissas (never zero). */
export const H_WEIGHT = 13;
/** i32[nPad]: core of each internal neuron (padding lanes: 0, never spike). */
export const H_CORE_OF = 14;
/** i32[nPad]: packets one spike of the neuron sends (distinct destination cores). */
export const H_PACKETS = 15;
/** i32[nPad]: hops of those packets (sum of Manhattan distances). */
export const H_HOPS = 16;
/** i32[nPad+1]: destination entries of neuron n are destStart[n] .. destStart[n+1]-1. */
export const H_DEST_START = 17;
/**
 * u32[nEntries]: core | (synapses << H_DEST_BITS): synapses of the neuron on that core (a count too
 * large for its bits is split over several entries of the same core).
 */
export const H_DEST = 18;
/** Number of cores the placement uses (cores 0 .. activeCores-1). */
export const H_CORES = 19;
/** i32[cores]: neurons on each core (updates per step). */
export const H_CORE_UPDATES = 20;
/** i32[3·cores] per-step scratch: events, packets, hops per core. */
export const H_STEP_COUNTS = 21;
/** f64[4·cores] run totals: events, packets, hops, cycles per core (struct of arrays). */
export const H_TOTALS = 22;
/** i32[nPad] scratch: internal ids of the current step's spikes. */
export const H_SPIKE_LIST = 23;
export const H_PROBES = 24;
/** Probe records, PROBE_WORDS i32 each. */
export const H_PROBE_TABLE = 25;
/** i32[outCap]: global ids of the spikes of the current chunk. */
export const H_OUT_SPIKES = 26;
export const H_OUT_CAP = 27;
/** i32[chunk]: spikes per step of the chunk. */
export const H_OUT_COUNTS = 28;
/** f64[chunk]: critical-core cycles per step. */
export const H_OUT_CYCLES = 29;
/** f64[chunk]: synaptic events per step (all cores). */
export const H_OUT_EVENTS = 30;
/** PRNG seed of the run (u32 bits). */
export const H_SEED = 31;
/** Current wrap: u > wrapHi gets −twoH, u < wrapLo gets +twoH (docs/chip.md §2). */
export const H_WRAP_HI = 32;
export const H_WRAP_LO = 33;
export const H_TWO_H = 34;
/** Voltage saturation bound 2^(voltageBits−1) − 1. */
export const H_VMAX = 35;
/** 1: use the general scalar neuron kernel (voltageBits > 29, or for measurement). */
export const H_SCALAR = 36;
/** 1: some core of the chip holds no neuron; its cycles (the barrier) count for the step maximum. */
export const H_IDLE_CORE = 37;
/** Out: spikes written by the last runSteps call. */
export const H_OUT_WRITTEN = 38;
/** Bits of the core field of a H_DEST entry. */
export const H_DEST_BITS = 39;
/** f64[5] at word 40 (byte 160): cycles per update, synaptic event, packet, hop, barrier. */
export const H_COSTS = 40;
/** i32[chunk]: the critical core of each step (lowest index among the cores with the most cycles). */
export const H_OUT_CRITICAL = 50;
/**
 * 0: event counters by destination pairs (H_DEST_START/H_DEST). Otherwise the fused layout: each
 * H_POST entry is byteOffset | (core << H_POST_BITS) and the synapse loop counts the events itself
 * (the pairs tables are then empty).
 */
export const H_POST_BITS = 51;
export const HEADER_WORDS = 64;

// ---- population record: i32 words --------------------------------------------------------------
export const POP_WORDS = 16;
/** POP_NEURON, POP_RATE, POP_RASTER or POP_SILENT. */
export const P_KIND = 0;
/** First internal index (a multiple of POP_ALIGN). */
export const P_BASE = 1;
export const P_SIZE = 2;
/** First global id. */
export const P_GLOBAL = 3;
// neuron populations
/** 0 = multiply (retain/4096, toward zero), 1 = shift. */
export const P_DECAY = 4;
/** currentRetain or currentShift (shift 31 is stored as 0 with mask 0). */
export const P_CPARAM = 5;
export const P_VPARAM = 6;
/** Shift decay: x − ((x >> shift) & mask); mask 0 means "no decay" (shift 31). */
export const P_CMASK = 7;
export const P_VMASK = 8;
export const P_THRESHOLD = 9;
export const P_BIAS = 10;
/** 1 = reset subtract, 0 = reset to P_RESET_VALUE (zero reset is value 0). */
export const P_RESET_SUB = 11;
export const P_RESET_VALUE = 12;
export const P_REFRACTORY = 13;
// input populations
/**
 * rate: u32[frames][size] probabilities of the chunk; raster: u8[steps][size] of the chunk;
 * compare and delta: i32[frames][P_ELEMENTS] values of the chunk.
 */
export const P_TABLE = 4;
/** rate, compare, delta: frame index of the table's first row; raster: step of the table's first row. */
export const P_ROW0 = 5;
/** rate, compare, delta: number of frames of the whole input (frame = min(t, frames − 1)). */
export const P_FRAMES = 6;
export const P_FIRST_STEP = 7;
/** compare: the oscillator's cycle in steps (phase encoder), or 0 to compare with t itself (latency). */
export const P_CYCLE = 8;
/** delta: threshold in Q16.16. */
export const P_DELTA_THRESHOLD = 9;
/** delta: bit 0 = off spikes (neurons N..2N−1), bit 1 = padding (the first frame is its own predecessor). */
export const P_DELTA_FLAGS = 10;
/** compare, delta: values per frame (N). */
export const P_ELEMENTS = 11;

export const POP_NEURON = 0;
export const POP_RATE = 1;
export const POP_RASTER = 2;
/** An input population with no input for this run: never spikes. */
export const POP_SILENT = 3;
/** latency and phase encoders: spike where the table value equals t (or the oscillator's phase). */
export const POP_COMPARE = 4;
/** delta encoder: spikes on changes of the value since the last step (previous value kept in v). */
export const POP_DELTA = 5;

// ---- probe record: i32 words -------------------------------------------------------------------
export const PROBE_WORDS = 4;
/** Source: byte address of the first probed state word (v or u of the population). */
export const Q_SRC = 0;
export const Q_COUNT = 1;
/** Destination of the chunk: i32[chunk][count]. */
export const Q_DST = 2;
