/**
 * @fileoverview The one-core C yardstick for the neurocc emulators.
 *
 * A plain, single-threaded implementation of the chip's fixed-point model (docs/chip.md §3–4):
 * per step, (1) the neuron update of every neuron in id order — u ← wrap(decay(u) + acc[t mod R]),
 * refractory hold, v ← saturate(decay(v) + u + bias), spike if v > threshold, reset, refractory —
 * then (2) event-driven delivery of the step's spikes through one CSR into the delay ring
 * acc[(t + delay) mod R][post] (32-bit wrapping adds). No counters besides the spike and
 * synaptic-event totals, no probes, no placement: the straightforward version one writes first
 * for this model on one CPU core, and the emulators are measured against it. (decay(u) + acc is
 * summed in 64 bits before Lava's single wrap correction; the wasm core sums in wrapping i32. The
 * two differ only if that sum leaves the i32 range, which the compiler warns about.)
 *
 * Input: the binary dump written by bench/dump.ts (the format is documented there in full). In short,
 * little-endian: u32 magic "NCCB", version 1, n, R (chip ring slots), currentBits, voltageBits,
 * P (population records), uniformDelay (0 = per-synapse delays follow); u64 nnz; P records of
 * 12 i32 (first, size, decayKind, currentParam, voltageParam, threshold, bias, resetKind,
 * resetValue, refractorySteps, 0, 0); i32 v0[n]; u64 rowStart[n+1]; u32 post[nnz];
 * i32 weight[nnz] (the accumulator increment, already shifted); u8 delay[nnz] if uniformDelay = 0.
 * Build:  gcc -O3 -march=native -o bench/out/cuba bench/cuba.c
 *         (-DCUBA_VECTOR builds a second, branchless variant of the neuron update that gcc
 *         auto-vectorises: a "what native SIMD would give" reference, not the yardstick.)
 * Run:    bench/out/cuba DUMP STEPS [--spikes FILE] [--dt-us US] [--ring R]
 * Output: one JSON line on stdout: n, steps, synapses, spikes, events, checksum (the
 *         order-dependent hash of bench/dump.ts's spikeChecksum), loadSeconds, wallSeconds (the step
 *         loop only), updateSeconds / deliverySeconds (the two phases, clock read once per phase
 *         and step), wallPerSimSecond (needs --dt-us, default 100), neuronUpdatesPerSecond,
 *         synapticEventsPerSecond, peakRssBytes (VmHWM of /proc/self/status). --spikes writes the spike
 *         list as text lines "step neuron". The delay ring has (largest delay in use + 1) slots, like
 *         the wasm core's; --ring R sets R slots instead (R > largest delay; same spikes), e.g. the
 *         chip's maxDelaySteps + 1, to measure what the ring's size costs.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
  int32_t first, size, decayKind, currentParam, voltageParam, threshold, bias, resetKind, resetValue,
      refractorySteps, reserved0, reserved1;
} Pop;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *msg) {
  fprintf(stderr, "cuba: %s\n", msg);
  exit(1);
}

static void *xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) die("out of memory");
  return p;
}

/* Peak resident set of this process image: VmHWM from /proc/self/status (reset by exec, unlike
 * ru_maxrss, which keeps the high-water mark of the process that forked us); ru_maxrss if absent. */
static long peak_rss_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmHWM:", 6)) {
      kb = strtol(line + 6, NULL, 10);
      break;
    }
  }
  if (f) fclose(f);
  if (kb < 0) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    kb = ru.ru_maxrss;
  }
  return kb * 1024L;
}

static void readn(FILE *f, void *dst, size_t bytes) {
  if (bytes && fread(dst, 1, bytes, f) != bytes) die("truncated dump");
}

/* decay "multiply": sign(x) * ((|x| * retain) >> 12), exact in 64 bits. */
static inline int64_t decay_mul(int64_t x, int64_t retain) {
  return x < 0 ? -((-x * retain) >> 12) : (x * retain) >> 12;
}

/* decay "shift": x - (x >> s) for s in [0, 30] (arithmetic shift), x for s = 31. */
static inline int64_t decay_shift(int64_t x, int s) { return s >= 31 ? x : x - (x >> s); }

#ifdef CUBA_VECTOR
/*
 * Branchless 32-bit form of the same update, written so that gcc auto-vectorises it (AVX2: 8
 * lanes). Exact under the same conditions as the wasm core's SIMD kernel (voltageBits <= 29,
 * |decay(u) + a| without i32 overflow): the product |x|*retain is split so it fits 32 bits, and u
 * is clamped to +-2^30 before the voltage sum. Multiply decay and zero/value reset only.
 */
static void update_vec(const Pop *p, uint32_t *restrict slot, int32_t *restrict u, int32_t *restrict v,
                       int32_t *restrict ref, uint8_t *restrict flag, int32_t H, int32_t VMAX) {
  const uint32_t lo = (uint32_t)p->first, hi = lo + (uint32_t)p->size;
  const uint32_t cr = (uint32_t)p->currentParam, vr = (uint32_t)p->voltageParam;
  const int32_t thr = p->threshold, bias = p->bias, rval = p->resetKind == 1 ? p->resetValue : 0;
  const int32_t refSteps = p->refractorySteps;
  for (uint32_t i = lo; i < hi; i++) {
    const int32_t a = (int32_t)slot[i];
    slot[i] = 0;
    const int32_t u0 = u[i];
    const uint32_t mu = u0 < 0 ? 0u - (uint32_t)u0 : (uint32_t)u0;
    const int32_t pu = (int32_t)((mu >> 12) * cr + (((mu & 4095u) * cr) >> 12));
    int32_t x = (int32_t)((uint32_t)(u0 < 0 ? -pu : pu) + (uint32_t)a);
    x = x > H ? x - 2 * H : x;
    x = x <= -H ? x + 2 * H : x;
    u[i] = x;
    const int32_t v0 = v[i];
    const uint32_t mv = v0 < 0 ? 0u - (uint32_t)v0 : (uint32_t)v0;
    const int32_t pv = (int32_t)((mv >> 12) * vr + (((mv & 4095u) * vr) >> 12));
    const int32_t uc = x > (1 << 30) ? (1 << 30) : x < -(1 << 30) ? -(1 << 30) : x;
    int32_t y = (v0 < 0 ? -pv : pv) + bias + uc;
    y = y > VMAX ? VMAX : y;
    y = y < -VMAX ? -VMAX : y;
    const int32_t r0 = ref[i];
    const int active = r0 == 0;
    const int sp = active & (y > thr);
    v[i] = active ? (sp ? rval : y) : v0;
    ref[i] = active ? (sp ? refSteps : 0) : r0 - 1;
    flag[i] = (uint8_t)sp;
  }
}
#endif

int main(int argc, char **argv) {
  if (argc < 3) die("usage: cuba DUMP STEPS [--spikes FILE] [--dt-us US] [--ring R]");
  const char *path = argv[1];
  const long steps = strtol(argv[2], NULL, 10);
  const char *spikeFile = NULL;
  double dtUs = 100.0;
  long ringOverride = 0;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--spikes")) spikeFile = argv[i + 1];
    else if (!strcmp(argv[i], "--dt-us")) dtUs = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--ring")) ringOverride = strtol(argv[i + 1], NULL, 10);
    else die("unknown option");
  }

  /* ---- load ---- */
  double t0 = now();
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open dump");
  uint32_t hdr[8];
  uint64_t nnz;
  readn(f, hdr, sizeof hdr);
  readn(f, &nnz, sizeof nnz);
  if (hdr[0] != 0x4243434Eu || hdr[1] != 1) die("not a version-1 neurocc bench dump");
  const uint32_t n = hdr[2], currentBits = hdr[4], voltageBits = hdr[5], P = hdr[6];
  const uint32_t uniformDelay = hdr[7];
  Pop *pops = xmalloc(P * sizeof(Pop));
  readn(f, pops, P * sizeof(Pop));
  int32_t *v = xmalloc((size_t)n * 4);
  readn(f, v, (size_t)n * 4);
  uint64_t *rowStart = xmalloc(((size_t)n + 1) * 8);
  readn(f, rowStart, ((size_t)n + 1) * 8);
  uint32_t *post = xmalloc(nnz * 4);
  readn(f, post, nnz * 4);
  int32_t *weight = xmalloc(nnz * 4);
  readn(f, weight, nnz * 4);
  uint8_t *delay = NULL;
  if (uniformDelay == 0) {
    delay = xmalloc(nnz);
    readn(f, delay, nnz);
  }
  fclose(f);
  /* The chip's ring has maxDelaySteps + 1 slots (hdr[3]); any R > the largest delay in use gives
   * the same result (a slot is consumed before it is reused), and a small ring stays in cache. So
   * the ring is (largest delay + 1) slots, as the wasm core's (emulator/flatten.ts ringSlots);
   * --ring R overrides it (e.g. --ring 63: the chip's full Loihi ring). */
  uint32_t maxDelay = uniformDelay;
  for (uint64_t j = 0; delay && j < nnz; j++) maxDelay = delay[j] > maxDelay ? delay[j] : maxDelay;
  uint32_t R = maxDelay + 1 < hdr[3] ? maxDelay + 1 : hdr[3];
  if (ringOverride > 0) {
    if ((uint32_t)ringOverride <= maxDelay) die("--ring must exceed the largest delay");
    R = (uint32_t)ringOverride;
  }

  int32_t *u = calloc(n, 4);
  uint8_t *refr = calloc(n, 1);
  uint32_t *acc = calloc((size_t)R * n, 4); /* acc[slot * n + neuron] */
  uint32_t *spk = xmalloc((size_t)n * 4);   /* this step's spikes */
  if (!u || !refr || !acc) die("out of memory");
#ifdef CUBA_VECTOR
  int32_t *ref32 = calloc(n, 4);
  uint8_t *flag = calloc(n, 1);
  if (!ref32 || !flag) die("out of memory");
  if (voltageBits > 29) die("CUBA_VECTOR build: voltageBits > 29");
#endif
  const int64_t H = (int64_t)1 << (currentBits - 1);
  const int64_t VMAX = ((int64_t)1 << (voltageBits - 1)) - 1;
  FILE *sf = spikeFile ? fopen(spikeFile, "w") : NULL;
  double loadSeconds = now() - t0;

  /* ---- simulate ---- */
  uint64_t totalSpikes = 0, totalEvents = 0;
  uint32_t checksum = 2166136261u;
  double tUpdate = 0, tDeliver = 0;
  const double start = now();
  double mark = start;
  for (long t = 0; t < steps; t++) {
    /* 1. neuron update */
    uint32_t *slot = acc + (size_t)(t % R) * n;
    uint32_t ns = 0;
#ifndef CUBA_VECTOR
    for (uint32_t pi = 0; pi < P; pi++) {
      const Pop *p = &pops[pi];
      const uint32_t lo = (uint32_t)p->first, hi = lo + (uint32_t)p->size;
      const int64_t cr = p->currentParam, vr = p->voltageParam, thr = p->threshold, bias = p->bias;
      const int mul = p->decayKind == 0;
      for (uint32_t i = lo; i < hi; i++) {
        const int32_t a = (int32_t)slot[i];
        slot[i] = 0;
        int64_t x = (mul ? decay_mul(u[i], cr) : decay_shift(u[i], (int)cr)) + a;
        if (x > H) x -= 2 * H;
        else if (x <= -H) x += 2 * H;
        u[i] = (int32_t)x;
        if (refr[i] > 0) {
          refr[i]--;
          continue;
        }
        int64_t y = (mul ? decay_mul(v[i], vr) : decay_shift(v[i], (int)vr)) + u[i] + bias;
        if (y > VMAX) y = VMAX;
        else if (y < -VMAX) y = -VMAX;
        if (y > thr) {
          spk[ns++] = i;
          y = p->resetKind == 0 ? 0 : p->resetKind == 1 ? p->resetValue : y - thr;
          refr[i] = (uint8_t)p->refractorySteps;
        }
        v[i] = (int32_t)y;
      }
    }
#else
    for (uint32_t pi = 0; pi < P; pi++) {
      const Pop *p = &pops[pi];
      if (p->decayKind != 0 || p->resetKind == 2) die("CUBA_VECTOR build: multiply decay, zero/value reset only");
      update_vec(p, slot, u, v, ref32, flag, (int32_t)H, (int32_t)VMAX);
    }
    /* collect the spike flags 8 at a time (spikes are rare: most words are zero) */
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      memcpy(&w, flag + i, 8);
      if (w == 0) continue;
      for (uint32_t j = i; j < i + 8; j++)
        if (flag[j]) spk[ns++] = j;
    }
    for (; i < n; i++)
      if (flag[i]) spk[ns++] = i;
#endif
    double m1 = now();
    tUpdate += m1 - mark;

    /* 2. delivery into the delay ring */
    for (uint32_t k = 0; k < ns; k++) {
      const uint32_t s = spk[k];
      checksum = (checksum ^ (uint32_t)t) * 16777619u;
      checksum = (checksum ^ s) * 16777619u;
      if (sf) fprintf(sf, "%ld %u\n", t, s);
      const uint64_t b = rowStart[s], e = rowStart[s + 1];
      totalEvents += e - b;
      if (delay == NULL) {
        uint32_t *row = acc + (size_t)((t + uniformDelay) % R) * n;
        for (uint64_t j = b; j < e; j++) row[post[j]] += (uint32_t)weight[j];
      } else {
        for (uint64_t j = b; j < e; j++) acc[(size_t)((t + delay[j]) % R) * n + post[j]] += (uint32_t)weight[j];
      }
    }
    totalSpikes += ns;
    mark = now();
    tDeliver += mark - m1;
  }
  const double wall = now() - start;
  if (sf) fclose(sf);

  const double simSeconds = (double)steps * dtUs * 1e-6;
#ifdef CUBA_VECTOR
  const char *variant = "vector";
#else
  const char *variant = "plain";
#endif
  printf("{\"variant\":\"%s\",\"ring\":%u,\"chipRing\":%u,\"n\":%u,\"steps\":%ld,\"synapses\":%" PRIu64 ",\"spikes\":%" PRIu64 ",\"events\":%" PRIu64
         ",\"checksum\":%u,\"loadSeconds\":%.6f,\"wallSeconds\":%.6f,\"updateSeconds\":%.6f,"
         "\"deliverySeconds\":%.6f,\"wallPerSimSecond\":%.6f,\"neuronUpdatesPerSecond\":%.6e,"
         "\"synapticEventsPerSecond\":%.6e,\"peakRssBytes\":%ld}\n",
         variant, R, hdr[3], n, steps, nnz, totalSpikes, totalEvents, checksum, loadSeconds, wall, tUpdate, tDeliver,
         simSeconds > 0 ? wall / simSeconds : 0.0, (double)n * (double)steps / wall,
         (double)totalEvents / wall, peak_rss_bytes());
  free(pops); free(v); free(rowStart); free(post); free(weight); free(delay);
  free(u); free(refr); free(acc); free(spk);
  return 0;
}
