/**
 * @fileoverview The C sources every exported network shares: `neurocc.h` (the API and table
 * types), `neurocc.c` (the step function: docs/chip.md §3–4 and the rate encoder of §5–6 in
 * portable C99 — integers only, 64-bit intermediates, no implementation-defined shifts or
 * conversions) and `main.c` (a driver reading inputs from stdin and printing spikes). The network's
 * own tables are `network.h`, written by targets/c/export.ts. docs/targets.md ("C") documents them.
 */

export const NEUROCC_H = `/* neurocc C target: API of the chip's step function (docs/targets.md, "C"). */
#ifndef NEUROCC_H
#define NEUROCC_H
#include <stdint.h>

/* The constants of one population on a core (docs/chip.md section 4). */
typedef struct {
  int32_t input;            /* 1: an input neuron (encoder), 0: a neuron */
  int32_t rate;             /* input: 1 = rate encoder (draws from a host probability), 0 = host spikes */
  int32_t first_spike_step; /* rate encoder: no spike before this step */
  int32_t decay_kind;       /* 0: multiply (retain / 4096), 1: shift */
  int32_t current_decay;    /* current retain (0..4096) or shift (0..31) */
  int32_t voltage_decay;    /* voltage retain (0..4096) or shift (0..31) */
  int32_t threshold;        /* spike when v > threshold */
  int32_t bias;             /* added to v every step */
  int32_t reset_kind;       /* 0: v = 0, 1: v = reset_value, 2: v = v - threshold */
  int32_t reset_value;
  int32_t refractory_steps;
} neurocc_profile;

/* One core's memories: neurons first .. first + count - 1, their profiles, routing and synapses. */
typedef struct {
  int32_t first;
  int32_t count;
  const neurocc_profile *profiles;
  const int32_t *neuron_profile;  /* per neuron: index into profiles */
  const int32_t *initial_v;       /* per neuron */
  const int32_t *route_start;     /* count + 1: packets of neuron i are route_start[i] .. route_start[i + 1] - 1 */
  const int32_t *route_core;      /* per packet: destination core */
  const int32_t *route_axon;      /* per packet: axon at the destination */
  const int32_t *axon_start;      /* axons + 1: synapses of axon a are axon_start[a] .. axon_start[a + 1] - 1 */
  const int32_t *synapse_target;  /* per synapse: neuron of this core (0 .. count - 1) */
  const int32_t *synapse_mantissa;
  const int32_t *synapse_shift;   /* the synapse adds mantissa << shift, kept to 32 bits */
  const int32_t *synapse_delay;   /* steps, 1 .. ring slots - 1 */
} neurocc_core;

/* Puts every neuron in its initial state (u = 0, v = initial_v, not refractory), empties the delay ring. */
void neurocc_reset(uint32_t seed);
/* Runs step t (0, 1, 2, ... in order). inputs[k] feeds the k-th input neuron (input neurons in id order):
   for a rate encoder its 16-bit probability p (0..65536), for any other encoder 1 = spike, 0 = none.
   Writes the ids that spiked, ascending, to spikes (room for neurocc_neuron_count()); returns how many. */
int32_t neurocc_step(int32_t t, const int32_t *inputs, int32_t *spikes);
int32_t neurocc_neuron_count(void);
int32_t neurocc_input_count(void);
uint32_t neurocc_default_seed(void);
int32_t neurocc_voltage(int32_t neuron);
int32_t neurocc_current(int32_t neuron);

#endif
`;

export const NEUROCC_C = `/* neurocc C target: the chip's step (docs/chip.md sections 3-6) in portable C99, integers only. */
#include "neurocc.h"
#include "network.h"

static int32_t state_u[NEUROCC_NEURONS];
static int32_t state_v[NEUROCC_NEURONS];
static int32_t state_refractory[NEUROCC_NEURONS];
static int32_t owner_core[NEUROCC_NEURONS];
/* The delay ring: slot (t mod R) of every neuron; sums modulo 2^32, hence unsigned. */
static uint32_t ring[(uint32_t)NEUROCC_RING_SLOTS * NEUROCC_NEURONS];
static uint32_t run_seed;

/* The low 32 bits of x as a signed value, without implementation-defined conversions. */
static int32_t wrap32(int64_t x) {
  uint32_t low = (uint32_t)((uint64_t)x & 0xFFFFFFFFu);
  return low <= 0x7FFFFFFFu ? (int32_t)low : (int32_t)(-(int64_t)(0xFFFFFFFFu - low) - 1);
}

/* Arithmetic shift right (rounds toward minus infinity) without shifting a negative value. */
static int64_t shift_right(int64_t x, int32_t s) {
  return x >= 0 ? x >> s : -((-x - 1) >> s) - 1;
}

/* decay(x): sign(x) * ((|x| * retain) >> 12), or x - (x >> s) with s = 31 meaning no decay. */
static int64_t decay(int64_t x, int32_t kind, int32_t code) {
  if (kind == 0) {
    int64_t m = ((x < 0 ? -x : x) * code) >> 12;
    return x < 0 ? -m : m;
  }
  return code >= 31 ? x : x - shift_right(x, code);
}

/* Lava's one-step current wrap into (-H, H], H = 2^(current bits - 1). */
static int64_t wrap_current(int64_t x) {
  const int64_t h = (int64_t)1 << (NEUROCC_CURRENT_BITS - 1);
  if (x > h) return x - 2 * h;
  if (x <= -h) return x + 2 * h;
  return x;
}

static int64_t saturate_voltage(int64_t x) {
  const int64_t limit = ((int64_t)1 << (NEUROCC_VOLTAGE_BITS - 1)) - 1;
  return x > limit ? limit : x < -limit ? -limit : x;
}

static uint32_t mix(uint32_t x) {
  x ^= x >> 16;
  x = (uint32_t)(((uint64_t)x * 0x7FEB352Du) & 0xFFFFFFFFu);
  x ^= x >> 15;
  x = (uint32_t)(((uint64_t)x * 0x846CA68Bu) & 0xFFFFFFFFu);
  x ^= x >> 16;
  return x;
}

/* prng(seed, t, i) = mix(mix(seed ^ mix(t + 0x9E3779B9)) ^ (i * 0x85EBCA6B)), all modulo 2^32. */
static uint32_t prng(uint32_t seed, uint32_t t, uint32_t i) {
  uint32_t step_hash = mix((uint32_t)(((uint64_t)t + 0x9E3779B9u) & 0xFFFFFFFFu));
  uint32_t seeded = mix(seed ^ step_hash);
  return mix(seeded ^ (uint32_t)(((uint64_t)i * 0x85EBCA6Bu) & 0xFFFFFFFFu));
}

/* One neuron, one step (docs/chip.md section 4). Returns 1 if it spiked. */
static int32_t update_neuron(int32_t id, int32_t input, const neurocc_profile *p) {
  int64_t v;
  state_u[id] = (int32_t)wrap_current(wrap32(decay(state_u[id], p->decay_kind, p->current_decay) + input));
  if (state_refractory[id] > 0) {
    state_refractory[id] -= 1;
    return 0;
  }
  v = saturate_voltage(wrap32(decay(state_v[id], p->decay_kind, p->voltage_decay) + state_u[id] + p->bias));
  if (v > p->threshold) {
    state_v[id] = p->reset_kind == 0 ? 0 : p->reset_kind == 1 ? p->reset_value : (int32_t)(v - p->threshold);
    state_refractory[id] = p->refractory_steps;
    return 1;
  }
  state_v[id] = (int32_t)v;
  return 0;
}

void neurocc_reset(uint32_t seed) {
  int32_t c, i;
  uint32_t k;
  run_seed = seed;
  for (k = 0; k < (uint32_t)NEUROCC_RING_SLOTS * NEUROCC_NEURONS; k++) ring[k] = 0;
  for (c = 0; c < NEUROCC_CORES; c++) {
    const neurocc_core *core = &neurocc_cores[c];
    for (i = 0; i < core->count; i++) {
      int32_t id = core->first + i;
      owner_core[id] = c;
      state_u[id] = 0;
      state_v[id] = core->initial_v[i];
      state_refractory[id] = 0;
    }
  }
}

int32_t neurocc_step(int32_t t, const int32_t *inputs, int32_t *spikes) {
  int32_t c, i, k, count = 0, next_input = 0;
  uint32_t slot = (uint32_t)t % NEUROCC_RING_SLOTS;
  /* Phase 1: neuron update, in id order (cores hold consecutive ids). */
  for (c = 0; c < NEUROCC_CORES; c++) {
    const neurocc_core *core = &neurocc_cores[c];
    for (i = 0; i < core->count; i++) {
      int32_t id = core->first + i;
      const neurocc_profile *p = &core->profiles[core->neuron_profile[i]];
      uint32_t *cell = &ring[slot * NEUROCC_NEURONS + (uint32_t)id];
      int32_t input = wrap32((int64_t)*cell);
      int32_t spiked;
      *cell = 0;
      if (p->input) {
        int32_t value = inputs ? inputs[next_input] : 0;
        next_input += 1;
        if (p->rate) {
          uint32_t probability = value < 0 ? 0u : value > 65536 ? 65536u : (uint32_t)value;
          spiked = t >= p->first_spike_step && (prng(run_seed, (uint32_t)t, (uint32_t)id) & 0xFFFFu) < probability;
        } else {
          spiked = value != 0;
        }
      } else {
        spiked = update_neuron(id, input, p);
      }
      if (spiked) spikes[count++] = id;
    }
  }
  /* Phase 2: routing and delivery: one packet per destination core, then that core's axon row. */
  for (k = 0; k < count; k++) {
    const neurocc_core *source = &neurocc_cores[owner_core[spikes[k]]];
    int32_t local = spikes[k] - source->first, r;
    for (r = source->route_start[local]; r < source->route_start[local + 1]; r++) {
      const neurocc_core *target = &neurocc_cores[source->route_core[r]];
      int32_t axon = source->route_axon[r], s;
      for (s = target->axon_start[axon]; s < target->axon_start[axon + 1]; s++) {
        uint32_t at = ((uint32_t)t + (uint32_t)target->synapse_delay[s]) % NEUROCC_RING_SLOTS;
        int64_t weight = (int64_t)target->synapse_mantissa[s] * ((int64_t)1 << target->synapse_shift[s]);
        uint32_t *cell = &ring[at * NEUROCC_NEURONS + (uint32_t)(target->first + target->synapse_target[s])];
        *cell += (uint32_t)wrap32(weight);
      }
    }
  }
  return count;
}

int32_t neurocc_neuron_count(void) { return NEUROCC_NEURONS; }
int32_t neurocc_input_count(void) { return NEUROCC_INPUT_NEURONS; }
uint32_t neurocc_default_seed(void) { return NEUROCC_SEED; }
int32_t neurocc_voltage(int32_t neuron) { return state_v[neuron]; }
int32_t neurocc_current(int32_t neuron) { return state_u[neuron]; }
`;

export const MAIN_C = `/* neurocc C target: a driver. stdin: the number of steps, then for every step one integer per input
   neuron (docs/targets.md, "C"). stdout: "step neuron" for every spike. Optional argument: the seed. */
#include <stdio.h>
#include <stdlib.h>
#include "neurocc.h"

int main(int argc, char **argv) {
  long steps, t;
  int32_t k, count, inputs_count = neurocc_input_count();
  int32_t *inputs = (int32_t *)calloc((size_t)(inputs_count > 0 ? inputs_count : 1), sizeof(int32_t));
  int32_t *spikes = (int32_t *)calloc((size_t)neurocc_neuron_count(), sizeof(int32_t));
  uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : neurocc_default_seed();
  if (!inputs || !spikes) { fprintf(stderr, "out of memory\\n"); return 2; }
  if (scanf("%ld", &steps) != 1 || steps < 0) { fprintf(stderr, "expected the number of steps on stdin\\n"); return 2; }
  neurocc_reset(seed);
  for (t = 0; t < steps; t++) {
    for (k = 0; k < inputs_count; k++) {
      long value;
      if (scanf("%ld", &value) != 1) { fprintf(stderr, "missing input %ld of step %ld\\n", (long)k, t); return 2; }
      inputs[k] = (int32_t)value;
    }
    count = neurocc_step((int32_t)t, inputs, spikes);
    for (k = 0; k < count; k++) printf("%ld %ld\\n", t, (long)spikes[k]);
  }
  free(inputs);
  free(spikes);
  return 0;
}
`;
