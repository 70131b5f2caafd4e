/*
 * The native reference of the benchmark: torch.optim's float32 update rules as plain C loops
 * (the order of operations of torch 2's _single_tensor_* functions), compiled at bench time
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
 * Cases (the bench's options; torch's defaults otherwise): sgd (lr 1e-3), momentum (lr 1e-3, momentum 0.9),
 * adam (lr 1e-3), adamw (lr 1e-3, weight decay 1e-2), adamax (lr 2e-3), radam (lr 1e-3), adagrad (lr 1e-2),
 * adadelta (lr 1), rmsprop (lr 1e-2), lion (lr 1e-4, weight decay 0.1).
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
  long n;
  float *p, *g, *a, *b; /* parameter, gradient, up to two state buffers (zero at the start) */
  long t;               /* steps taken, this one included */
} State;

/* Each rule takes one step; per-step scalars are computed in double and rounded to float once. */
typedef void (*Rule)(State *s);

#define LOOP _Pragma("omp parallel for schedule(static)") for (long i = 0; i < n; i++)
#define ARRAYS \
  const long n = s->n; \
  float *restrict p = s->p, *restrict g = s->g, *restrict a = s->a, *restrict b = s->b; \
  (void)a; (void)b;

static void sgd(State *s) { /* lr 1e-3 */
  ARRAYS
  const float lr = 1e-3f;
  LOOP p[i] += -lr * g[i];
}

static void momentum(State *s) { /* lr 1e-3, momentum 0.9: a is the momentum buffer (= g at step 1) */
  ARRAYS
  const float lr = 1e-3f, mu = 0.9f;
  if (s->t == 1) {
    LOOP { a[i] = g[i]; p[i] += -lr * a[i]; }
  } else {
    LOOP { a[i] = a[i] * mu + g[i]; p[i] += -lr * a[i]; }
  }
}

static void adamRule(State *s, double wd) { /* lr 1e-3, betas (0.9, 0.999), eps 1e-8; decoupled decay wd */
  ARRAYS
  const double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  const double bc1 = 1 - pow(beta1, (double)s->t), bc2 = 1 - pow(beta2, (double)s->t);
  const float stepSize = (float)(lr / bc1), bc2Sqrt = (float)sqrt(bc2), decay = (float)(1 - lr * wd);
  const float w1 = (float)(1 - beta1), b2 = (float)beta2, w2 = (float)(1 - beta2), e = (float)eps;
  const int decoupled = wd != 0;
  LOOP {
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
static void adam(State *s) { adamRule(s, 0); }
static void adamw(State *s) { adamRule(s, 1e-2); }

static void adamax(State *s) { /* lr 2e-3, betas (0.9, 0.999), eps 1e-8: a = exp_avg, b = exp_inf */
  ARRAYS
  const float w1 = 0.1f, b2 = 0.999f, e = 1e-8f, clr = (float)(2e-3 / (1 - pow(0.9, (double)s->t)));
  LOOP {
    float gi = g[i];
    float m = a[i] + w1 * (gi - a[i]);          /* exp_avg.lerp_(grad, 1 - beta1) */
    float decayed = b[i] * b2, bound = fabsf(gi) + e;
    float u = decayed > bound ? decayed : bound; /* amax(exp_inf * beta2, |grad| + eps); fmaxf would not vectorize */
    a[i] = m;
    b[i] = u;
    p[i] += -clr * (m / u);                     /* param.addcdiv_(exp_avg, exp_inf, value=-clr) */
  }
}

static void radam(State *s) { /* lr 1e-3, betas (0.9, 0.999), eps 1e-8: a = exp_avg, b = exp_avg_sq */
  ARRAYS
  const double beta2 = 0.999, bc1 = 1 - pow(0.9, (double)s->t), bc2 = 1 - pow(beta2, (double)s->t);
  const double rhoInf = 2 / (1 - beta2) - 1, rhoT = rhoInf - 2 * s->t * pow(beta2, (double)s->t) / bc2;
  const int rectified = rhoT > 5;
  const double rect = rectified ? sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
  const float w1 = 0.1f, b2 = (float)beta2, w2 = (float)(1 - beta2), e = 1e-8f, lr = 1e-3f;
  const float fbc1 = (float)bc1, bc2Sqrt = (float)sqrt(bc2), frect = (float)rect;
  LOOP {
    float gi = g[i];
    float m = a[i] + w1 * (gi - a[i]);
    float v = b[i] * b2 + w2 * gi * gi;
    a[i] = m;
    b[i] = v;
    float corrected = m / fbc1 * lr;            /* bias_corrected_exp_avg * lr */
    p[i] -= rectified ? corrected * (bc2Sqrt / (sqrtf(v) + e)) * frect : corrected;
  }
}

static void adagrad(State *s) { /* lr 1e-2, lr_decay 0, eps 1e-10: a = sum */
  ARRAYS
  const float clr = 1e-2f, e = 1e-10f;
  LOOP {
    float gi = g[i];
    float sum = a[i] + gi * gi;                 /* state_sum.addcmul_(grad, grad, value=1) */
    a[i] = sum;
    p[i] += -clr * (gi / (sqrtf(sum) + e));     /* param.addcdiv_(grad, std, value=-clr) */
  }
}

static void adadelta(State *s) { /* lr 1, rho 0.9, eps 1e-6: a = square_avg, b = acc_delta */
  ARRAYS
  const float rho = 0.9f, w = 0.1f, e = 1e-6f, lr = 1.0f;
  LOOP {
    float gi = g[i];
    float sq = a[i] * rho + w * gi * gi;        /* square_avg.mul_(rho).addcmul_(grad, grad, 1 - rho) */
    float delta = sqrtf(b[i] + e) / sqrtf(sq + e) * gi;
    a[i] = sq;
    b[i] = b[i] * rho + w * delta * delta;      /* acc_delta.mul_(rho).addcmul_(delta, delta, 1 - rho) */
    p[i] += -lr * delta;
  }
}

static void rmsprop(State *s) { /* lr 1e-2, alpha 0.99, eps 1e-8: a = square_avg */
  ARRAYS
  const float alpha = 0.99f, w = (float)(1 - 0.99), e = 1e-8f, lr = 1e-2f;
  LOOP {
    float gi = g[i];
    float sq = a[i] * alpha + w * gi * gi;      /* square_avg.mul_(alpha).addcmul_(grad, grad, 1 - alpha) */
    a[i] = sq;
    p[i] += -lr * (gi / (sqrtf(sq) + e));       /* param.addcdiv_(grad, avg, value=-lr) */
  }
}

static void lion(State *s) { /* lr 1e-4, betas (0.9, 0.99), weight decay 0.1: a = exp_avg */
  ARRAYS
  const float lr = 1e-4f, decay = (float)(1 - 1e-4 * 0.1), b1 = 0.9f, w1 = (float)(1 - 0.9);
  const float b2 = 0.99f, w2 = (float)(1 - 0.99);
  LOOP {
    float gi = g[i], m = a[i];
    float c = m * b1 + gi * w1;                 /* exp_avg * beta1 + grad * (1 - beta1) */
    float sign = c > 0 ? 1.0f : c < 0 ? -1.0f : c;
    p[i] = p[i] * decay - lr * sign;            /* p.mul_(1 - lr * wd).add_(update.sign_(), alpha=-lr) */
    a[i] = m * b2 + gi * w2;                    /* exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2) */
  }
}

static const struct { const char *name; Rule rule; } RULES[] = {
  {"sgd", sgd}, {"momentum", momentum}, {"adam", adam}, {"adamw", adamw}, {"adamax", adamax},
  {"radam", radam}, {"adagrad", adagrad}, {"adadelta", adadelta}, {"rmsprop", rmsprop}, {"lion", lion},
};

static void step(State *s, Rule rule) {
  s->t++;
  rule(s);
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
  State s = {atol(argv[2]), NULL, NULL, NULL, NULL, 0};
  Rule rule = NULL;
  for (size_t k = 0; k < sizeof RULES / sizeof RULES[0]; k++) if (strcmp(argv[1], RULES[k].name) == 0) rule = RULES[k].rule;
  if (rule == NULL || s.n < 1) { fprintf(stderr, "unknown case '%s' or bad size\n", argv[1]); return 2; }
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
    for (long k = 0; k < steps; k++) step(&s, rule);
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
      step(&s, rule); /* untimed: the switch from the other side's batch (threads asleep, caches cold) */
      const double t0 = nowMs();
      for (long k = 0; k < steps; k++) step(&s, rule);
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
  do { step(&s, rule); warmupSteps++; elapsed = nowMs() - start; } while (elapsed < warmupMs);
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
    for (long k = 0; k < batch; k++) step(&s, rule);
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
