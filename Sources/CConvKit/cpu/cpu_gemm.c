/*
 * cpu_gemm.c — dense sgemm on the CPU backend: c = alpha * op(a) op(b) + beta * c,
 * split over the pool in blocks of columns (or of rows, when c is taller than
 * wide), one single-threaded OpenBLAS call per worker. The split is static,
 * so for a fixed thread count the result is bitwise reproducible.
 */
#include "cpu/cpu_gemm.h"
#include "cpu/cpu_ops.h"
#include "cpu/cpu_support.h"

/* Columns (or rows) of c per unit of the split: whole register tiles of OpenBLAS's kernels. */
#define SPLIT_UNIT 16

/* Fewest multiply-adds one worker takes: below this, waking another thread costs more than it saves. */
#define MIN_MACS_PER_THREAD ((int64_t)1 << 21)

typedef struct gemm_job {
    int trans_a, trans_b, split_columns;
    int64_t m, n, k, lda, ldb, ldc;
    float alpha, beta;
    const float *a, *b;
    float *c;
} gemm_job;

/* Units [begin, end) of SPLIT_UNIT columns (or rows) of c. */
static void gemm_units(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const gemm_job *j = context;
    const int64_t extent = j->split_columns ? j->n : j->m;
    const int64_t first = (int64_t)begin * SPLIT_UNIT;
    const int64_t last = (int64_t)end * SPLIT_UNIT < extent ? (int64_t)end * SPLIT_UNIT : extent;
    if (j->split_columns) {
        const float *b = j->b + (j->trans_b ? first * j->ldb : first);
        ck_sgemm(j->trans_a, j->trans_b, j->m, last - first, j->k, j->alpha, j->a, j->lda, b, j->ldb, j->beta,
                 j->c + first, j->ldc);
    } else {
        const float *a = j->a + (j->trans_a ? first : first * j->lda);
        ck_sgemm(j->trans_a, j->trans_b, last - first, j->n, j->k, j->alpha, a, j->lda, j->b, j->ldb, j->beta,
                 j->c + first * j->ldc, j->ldc);
    }
}

void ck_sgemm_parallel(ck_thread_pool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                       const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    gemm_job j = {.trans_a = trans_a, .trans_b = trans_b, .split_columns = n >= m, .m = m, .n = n, .k = k,
                  .lda = lda, .ldb = ldb, .ldc = ldc, .alpha = alpha, .beta = beta, .a = a, .b = b, .c = c};
    const int64_t extent = j.split_columns ? n : m;
    const int64_t units = (extent + SPLIT_UNIT - 1) / SPLIT_UNIT;
    const int64_t macs_per_unit = SPLIT_UNIT * (j.split_columns ? m : n) * k;
    const int64_t min_units = macs_per_unit > 0 ? (MIN_MACS_PER_THREAD + macs_per_unit - 1) / macs_per_unit : units;
    ck_parallel_for(pool, (size_t)units, (size_t)(min_units > 0 ? min_units : 1), gemm_units, &j);
}

ck_status ck_cpu_gemm(ck_backend *backend, const ck_gemm_args *args) {
    CK_CPU_REQUIRE_F32(backend, "gemm", args->a, args->b, args->c);
    const ck_tensor *a = args->a, *b = args->b;
    const int64_t m = args->trans_a ? a->dims[1] : a->dims[0];
    const int64_t k = args->trans_a ? a->dims[0] : a->dims[1];
    const int64_t n = args->trans_b ? b->dims[0] : b->dims[1];
    if (!ck_fits_blas_int(a->dims[1]) || !ck_fits_blas_int(b->dims[1]) || !ck_fits_blas_int(m) ||
        !ck_fits_blas_int(n) || !ck_fits_blas_int(k))
        return ck_set_error(backend->ctx, CK_ERR_UNSUPPORTED, "gemm: sizes above 2^31-1 are not supported");
    ck_sgemm_parallel(ck_cpu(backend)->pool, args->trans_a != 0, args->trans_b != 0, m, n, k, args->alpha,
                      ck_tensor_data(a), a->dims[1], ck_tensor_data(b), b->dims[1], args->beta,
                      ck_tensor_data(args->c), n);
    return CK_OK;
}
