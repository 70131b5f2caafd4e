// OpenBLAS's single-precision GEMM on the matrix products of one Newton–Schulz step of Muon for a
// rows x cols matrix (X is k x K, k = min, K = max): M = X·Xᵀ (k x k x K), M·M (k x k x k) and
// N·X (k x K x k), the shapes simdopt's Muon step multiplies. Built by the bench against the
// system's libopenblas where present (src/muon.ts).
//   gemm <rows> <cols> <threads> <repeats>
// prints {"ms": median milliseconds of the three products, "flops": their floating-point operations}.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void openblas_set_num_threads(int);

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: gemm <rows> <cols> <threads> <repeats>\n");
    return 2;
  }
  int rows = atoi(argv[1]), cols = atoi(argv[2]), threads = atoi(argv[3]), repeats = atoi(argv[4]);
  int k = rows < cols ? rows : cols, K = rows < cols ? cols : rows;
  openblas_set_num_threads(threads);
  float *x = malloc(sizeof(float) * k * K), *y = malloc(sizeof(float) * k * K);
  float *m = malloc(sizeof(float) * k * k), *n = malloc(sizeof(float) * k * k);
  for (long i = 0; i < (long)k * K; i++) x[i] = (float)((i * 7919 % 1000) - 500) / 5000.0f;
  double *times = malloc(sizeof(double) * repeats);
  for (int r = -1; r < repeats; r++) {  // r = -1: warm-up
    double start = now_ms();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, k, K, 1.0f, x, K, x, K, 0.0f, m, k);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, k, k, 1.0f, m, k, m, k, 0.0f, n, k);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, K, k, 1.0f, n, k, x, K, 0.0f, y, K);
    if (r >= 0) times[r] = now_ms() - start;
  }
  qsort(times, repeats, sizeof(double), compare);
  double flops = 2.0 * k * k * K * 2 + 2.0 * k * k * k;
  printf("{\"ms\": %.6f, \"flops\": %.0f, \"check\": %.6g}\n", times[repeats / 2], flops, (double)y[K + 1]);
  return 0;
}
