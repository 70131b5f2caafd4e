/*
 * The native reference of the benchmark: torch.optim's float32 update rules as plain C loops
 * (the order of operations of torch 1.13's _single_tensor_* functions), compiled at bench time
 * with the system's compiler (-O3 -march=native -fno-math-errno, OpenMP for threads).
 *
 * Usage: optimizers <case> <size> <threads> gate <steps>
 *          reads size float32 parameters, then size float32 gradients, from stdin; takes <steps>
 *          steps; writes the parameters (float32) to stdout.
 *        optimizers <case> <size> <threads> time <warmupMs> <minSampleMs> <timeMs> <minSamples> <maxTaskMs> <slowMinSamples>
 *          reads the same input, then times steps as the bench's timing.ts does (warm-up, steps
 *          batched to at least minSampleMs per sample, samples for timeMs or at least minSamples)
 *          and prints one JSON line: medianMs, minMs, maxMs, meanMs per step, samples, batch, warmupSteps.
 *        optimizers <case> <size> <threads> serve
 *          reads the same input, then commands, one a line: "<threads> <steps>" takes one untimed step
 *          and <steps> timed ones on <threads> threads and answers with their time in ms, one line
 *          (a batch of the bench's pairs, timed here: src/impls/native-server.ts); ends with its input.
 * Cases: sgd (lr 1e-3), momentum (lr 1e-3, momentum 0.9), adam (lr 1e-3), adamw (lr 1e-3, weight decay 1e-2).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct {
  int kind; /* 0 sgd, 1 momentum, 2 adam, 3 adamw */
  long n;
  float *p, *g, *a, *b;
  long t;
} State;

static void step(State *s) {
  const long n = s->n;
  float *restrict p = s->p, *restrict g = s->g, *restrict a = s->a, *restrict b = s->b;
  s->t++;
  if (s->kind == 0) {
    const float lr = 1e-3f;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) p[i] += -lr * g[i];
  } else if (s->kind == 1) {
    const float lr = 1e-3f, momentum = 0.9f;
    if (s->t == 1) {
#pragma omp parallel for schedule(static)
      for (long i = 0; i < n; i++) { a[i] = g[i]; p[i] += -lr * a[i]; }
    } else {
#pragma omp parallel for schedule(static)
      for (long i = 0; i < n; i++) { a[i] = a[i] * momentum + g[i]; p[i] += -lr * a[i]; }
    }
  } else {
    const double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, wd = s->kind == 3 ? 1e-2 : 0;
    const double bc1 = 1 - pow(beta1, (double)s->t), bc2 = 1 - pow(beta2, (double)s->t);
    const float stepSize = (float)(lr / bc1), bc2Sqrt = (float)sqrt(bc2), decay = (float)(1 - lr * wd);
    const float w1 = (float)(1 - beta1), b2 = (float)beta2, w2 = (float)(1 - beta2), e = (float)eps;
    const int decoupled = s->kind == 3;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
      float gi = g[i];
      float pi = decoupled ? p[i] * decay : p[i];
      float m = a[i] + w1 * (gi - a[i]);          /* exp_avg.lerp_(grad, 1 - beta1) */
      float v = b[i] * b2 + w2 * gi * gi;         /* exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2) */
      float denom = sqrtf(v) / bc2Sqrt + e;       /* (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps) */
      a[i] = m;
      b[i] = v;
      p[i] = pi - stepSize * (m / denom);         /* param.addcdiv_(exp_avg, denom, value=-step_size) */
    }
  }
}

static double nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

static float *readFloats(long n) {
  float *data = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64 + 64);
  if (data == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
  if ((long)fread(data, sizeof(float), n, stdin) != n) { fprintf(stderr, "short input\n"); exit(2); }
  return data;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: see the comment at the top of optimizers.c\n"); return 2; }
  const char *kinds[] = {"sgd", "momentum", "adam", "adamw"};
  State s = {-1, atol(argv[2]), NULL, NULL, NULL, NULL, 0};
  for (int k = 0; k < 4; k++) if (strcmp(argv[1], kinds[k]) == 0) s.kind = k;
  if (s.kind < 0 || s.n < 1) { fprintf(stderr, "unknown case '%s' or bad size\n", argv[1]); return 2; }
#ifdef _OPENMP
  omp_set_num_threads(atoi(argv[3]));
#else
  if (atoi(argv[3]) != 1) { fprintf(stderr, "built without OpenMP: one thread only\n"); return 2; }
#endif
  s.p = readFloats(s.n);
  s.g = readFloats(s.n);
  s.a = aligned_alloc(64, ((s.n * sizeof(float) + 63) / 64) * 64 + 64);
  s.b = aligned_alloc(64, ((s.n * sizeof(float) + 63) / 64) * 64 + 64);
  if (s.a == NULL || s.b == NULL) { fprintf(stderr, "out of memory\n"); return 2; }
  memset(s.a, 0, s.n * sizeof(float));
  memset(s.b, 0, s.n * sizeof(float));
  if (strcmp(argv[4], "gate") == 0 && argc >= 6) {
    long steps = atol(argv[5]);
    for (long k = 0; k < steps; k++) step(&s);
    fwrite(s.p, sizeof(float), s.n, stdout);
    return 0;
  }
  if (strcmp(argv[4], "serve") == 0) {
    int threads;
    long steps;
    while (scanf("%d %ld", &threads, &steps) == 2) {
#ifdef _OPENMP
      omp_set_num_threads(threads);
#else
      if (threads != 1) { fprintf(stderr, "built without OpenMP: one thread only\n"); return 2; }
#endif
      step(&s); /* untimed: the switch from the other side's batch (threads asleep, caches cold) */
      const double t0 = nowMs();
      for (long k = 0; k < steps; k++) step(&s);
      printf("%.9g\n", nowMs() - t0);
      fflush(stdout);
    }
    return 0;
  }
  if (strcmp(argv[4], "time") != 0 || argc < 11) { fprintf(stderr, "bad mode or arguments\n"); return 2; }
  const double warmupMs = atof(argv[5]), minSampleMs = atof(argv[6]), timeMs = atof(argv[7]);
  const long minSamples = atol(argv[8]), slowMinSamples = atol(argv[10]);
  const double maxTaskMs = atof(argv[9]);
  long warmupSteps = 0;
  double start = nowMs(), elapsed;
  do { step(&s); warmupSteps++; elapsed = nowMs() - start; } while (elapsed < warmupMs);
  const double estimate = elapsed / warmupSteps;
  long batch = (long)ceil(minSampleMs / (estimate > 1e-6 ? estimate : 1e-6));
  if (batch < 1) batch = 1;
  const double sampleMs = estimate * batch;
  long iterations = minSamples;
  if (sampleMs * iterations > maxTaskMs) {
    iterations = (long)floor(maxTaskMs / sampleMs);
    if (iterations < slowMinSamples) iterations = slowMinSamples;
  }
  const double budget = sampleMs * iterations > timeMs ? 0 : timeMs;
  long capacity = 1024, count = 0;
  double *samples = malloc(capacity * sizeof(double)), total = 0;
  start = nowMs();
  while (count < iterations || nowMs() - start < budget) {
    double t0 = nowMs();
    for (long k = 0; k < batch; k++) step(&s);
    double t = (nowMs() - t0) / batch;
    if (count == capacity) samples = realloc(samples, (capacity *= 2) * sizeof(double));
    samples[count++] = t;
    total += t;
  }
  qsort(samples, count, sizeof(double), compare);
  double median = count % 2 ? samples[count / 2] : (samples[count / 2 - 1] + samples[count / 2]) / 2;
  printf("{\"medianMs\":%.9g,\"minMs\":%.9g,\"maxMs\":%.9g,\"meanMs\":%.9g,\"samples\":%ld,\"batch\":%ld,\"warmupSteps\":%ld,\"time\":%.9g,\"iterations\":%ld}\n",
         median, samples[0], samples[count - 1], total / count, count, batch, warmupSteps, budget, iterations);
  return 0;
}
