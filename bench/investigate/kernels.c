/*
 * Kernels of the byte investigation (bench/README.md, "Where the bytes go"), written once in plain C
 * and compiled twice: natively (-O3 -march=native, OpenMP), and to WebAssembly with clang's SIMD128
 * as a second opinion on AssemblyScript's code for the same loops.
 *
 * rmw<k>: the bandwidth reference's traffic (src/bandwidth.ts): a read-only stream g and k
 * read-modify-write streams, a[i] += g[i] in 32-bit integers.
 * adam, momentum: simdopt's float32 rules with `rounding: "separate"` (each product rounded, then
 * the sum; torch 2's lerp for m), so that the Wasm build is checked bit for bit against simdopt's.
 *
 * Natively it serves batches as optimizers.c does: `kernels <rmw2|rmw3> <n> serve`, then commands
 * "<threads> <steps>", one a line, each answered with the time of <steps> passes after one untimed
 * pass, in ms.
 */
#include <stddef.h>

#if defined(__wasm__)
#define EXPORT __attribute__((visibility("default"), used))
#else
#define EXPORT
#endif

EXPORT void rmw2(int n, const int *restrict g, int *restrict a, int *restrict b) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++) { int x = g[i]; a[i] += x; b[i] += x; }
}

EXPORT void rmw3(int n, const int *restrict g, int *restrict a, int *restrict b, int *restrict c) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++) { int x = g[i]; a[i] += x; b[i] += x; c[i] += x; }
}

EXPORT void adam(int n, float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                 float w1, float b2, float w2, float bc2Sqrt, float eps, float negStepSize) {
  for (int i = 0; i < n; i++) {
    float gi = g[i];
    float mi = m[i] + w1 * (gi - m[i]);
    float vi = (w2 * gi) * gi + v[i] * b2;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] + (negStepSize * mi) / (__builtin_sqrtf(vi) / bc2Sqrt + eps);
  }
}

EXPORT void momentum(int n, float *restrict p, const float *restrict g, float *restrict buf, float mu, float negLr) {
  for (int i = 0; i < n; i++) {
    float b = g[i] + buf[i] * mu;
    buf[i] = b;
    p[i] = negLr * b + p[i];
  }
}

#if !defined(__wasm__)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <omp.h>

static double nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[3], "serve") != 0) { fprintf(stderr, "usage: kernels <rmw2|rmw3> <n> serve\n"); return 2; }
  const int k = strcmp(argv[1], "rmw3") == 0 ? 3 : 2, n = atoi(argv[2]);
  int *s[4];
  for (int j = 0; j <= k; j++) {
    s[j] = aligned_alloc(64, ((size_t)n * 4 + 63) / 64 * 64);
    memset(s[j], 1, (size_t)n * 4); /* touch every page before timing, as the Wasm reference does */
  }
  int threads, steps;
  while (scanf("%d %d", &threads, &steps) == 2) {
    omp_set_num_threads(threads);
#define PASS (k == 3 ? rmw3(n, s[0], s[1], s[2], s[3]) : rmw2(n, s[0], s[1], s[2]))
    PASS; /* untimed: the switch from the other side's batch */
    const double t0 = nowMs();
    for (int r = 0; r < steps; r++) PASS;
    printf("%.9g\n", nowMs() - t0);
    fflush(stdout);
  }
  return 0;
}
#endif
