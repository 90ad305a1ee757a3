/*
 * cpu_dropout.c — dropout forward with the Philox-4x32-10 counter RNG and the
 * keep rule of core/philox.h, so masks are bitwise identical to every other
 * backend's for the same seed and offset.
 *
 * x, y, mask: same shape, any rank (a flat array of n elements). Element i
 * uses counter offset + i: mask[i] = keep ? 1 / (1 - rate) : 0,
 * y[i] = x[i] * mask[i]; y may be x. Ranges of elements are split over the
 * thread pool; each Philox block serves four consecutive counters. The AVX2
 * variant evaluates eight blocks (32 elements) at once, bit for bit the same.
 */
#include "core/philox.h"
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

typedef struct dropout_job {
    int avx2;
    uint64_t seed, offset;
    float rate, scale;
    const float *x;
    float *y, *mask;
} dropout_job;

/* Elements [i, end) starting at counter `element`, one scalar Philox block at a time. */
static void dropout_scalar(const dropout_job *job, const uint32_t key[2], uint64_t element, size_t i, size_t end) {
    while (i < end) {
        uint64_t block = element / 4;
        const uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0u, 0u};
        uint32_t bits[4];
        ck_philox4x32_10(counter, key, bits);
        for (unsigned lane = (unsigned)(element % 4); lane < 4 && i < end; lane++, i++, element++) {
            float m = ck_dropout_keep(bits[lane], job->rate) ? job->scale : 0.0f;
            job->mask[i] = m;
            job->y[i] = job->x[i] * m;
        }
    }
}

#if CK_SIMD_X86
/* 32-bit lanes: hi and lo halves of the products lanes * m. */
CK_TARGET_AVX2 static inline void multiply_wide(__m256i lanes, __m256i m, __m256i *hi, __m256i *lo) {
    __m256i even = _mm256_mul_epu32(lanes, m);                        /* lanes 0, 2, 4, 6 as 64-bit products */
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(lanes, 32), m); /* lanes 1, 3, 5, 7 */
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

/* Applies the keep rule to 8 random words and writes mask and y for elements [i, i + 8). */
CK_TARGET_AVX2 static inline void apply_keep_avx2(const dropout_job *job, __m256i bits, size_t i) {
    __m256 uniform = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(bits, 8)), _mm256_set1_ps(0x1p-24f));
    __m256 keep = _mm256_cmp_ps(uniform, _mm256_set1_ps(job->rate), _CMP_GE_OQ);
    __m256 m = _mm256_and_ps(keep, _mm256_set1_ps(job->scale));
    _mm256_storeu_ps(job->mask + i, m);
    _mm256_storeu_ps(job->y + i, _mm256_mul_ps(_mm256_loadu_ps(job->x + i), m));
}

/*
 * Elements [i, end), i at a block boundary (element % 4 == 0): 32 at a time
 * from eight Philox blocks in vector lanes, the rest scalar.
 */
CK_TARGET_AVX2 static void dropout_avx2(const dropout_job *job, const uint32_t key[2], uint64_t element, size_t i,
                                        size_t end) {
    const __m256i m0 = _mm256_set1_epi64x(CK_PHILOX_M0), m1 = _mm256_set1_epi64x(CK_PHILOX_M1);
    for (; i + 32 <= end; i += 32, element += 32) {
        uint32_t low[8], high[8];
        for (int b = 0; b < 8; b++) {
            uint64_t block = (element + 4 * (uint64_t)b) / 4; /* the counter wraps modulo 2^64 */
            low[b] = (uint32_t)block;
            high[b] = (uint32_t)(block >> 32);
        }
        __m256i c0 = _mm256_loadu_si256((const __m256i *)low), c1 = _mm256_loadu_si256((const __m256i *)high);
        __m256i c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
        uint32_t k0 = key[0], k1 = key[1];
        for (int round = 0; round < CK_PHILOX_ROUNDS; round++) {
            if (round > 0) {
                k0 += CK_PHILOX_W0;
                k1 += CK_PHILOX_W1;
            }
            __m256i hi0, lo0, hi1, lo1;
            multiply_wide(c0, m0, &hi0, &lo0);
            multiply_wide(c2, m1, &hi1, &lo1);
            c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32((int)k0));
            c1 = lo1;
            c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32((int)k1));
            c3 = lo0;
        }
        /* Transpose words (c0..c3) x blocks (lanes) into element order: element 4b + w = word w of block b. */
        __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpackhi_epi32(c0, c1);
        __m256i t2 = _mm256_unpacklo_epi32(c2, c3), t3 = _mm256_unpackhi_epi32(c2, c3);
        __m256i b04 = _mm256_unpacklo_epi64(t0, t2), b15 = _mm256_unpackhi_epi64(t0, t2);
        __m256i b26 = _mm256_unpacklo_epi64(t1, t3), b37 = _mm256_unpackhi_epi64(t1, t3);
        apply_keep_avx2(job, _mm256_permute2x128_si256(b04, b15, 0x20), i);
        apply_keep_avx2(job, _mm256_permute2x128_si256(b26, b37, 0x20), i + 8);
        apply_keep_avx2(job, _mm256_permute2x128_si256(b04, b15, 0x31), i + 16);
        apply_keep_avx2(job, _mm256_permute2x128_si256(b26, b37, 0x31), i + 24);
    }
    dropout_scalar(job, key, element, i, end);
}
#endif

static void dropout_range(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const dropout_job *job = context;
    const uint32_t key[2] = {(uint32_t)job->seed, (uint32_t)(job->seed >> 32)};
    uint64_t element = job->offset + begin; /* the counter, modulo 2^64 */
#if CK_SIMD_X86
    if (job->avx2) {
        size_t head = (size_t)((4 - element % 4) % 4); /* up to the next block boundary */
        if (head > end - begin) head = end - begin;
        dropout_scalar(job, key, element, begin, begin + head);
        dropout_avx2(job, key, element + head, begin + head, end);
        return;
    }
#endif
    dropout_scalar(job, key, element, begin, end);
}

ck_status ck_cpu_dropout_forward(ck_backend *backend, const ck_dropout_forward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "dropout_forward", args->x, args->y, args->mask);
    const ck_dropout_params *p = args->params;
    dropout_job job = {.avx2 = ck_cpu(backend)->has_avx2_fma,
                       .seed = p->seed,
                       .offset = p->offset,
                       .rate = p->rate,
                       .scale = ck_dropout_scale(p->rate),
                       .x = ck_tensor_data(args->x),
                       .y = ck_tensor_data(args->y),
                       .mask = ck_tensor_data(args->mask)};
    /* Philox costs far more per element than a copy: smaller chunks still pay for a thread. */
    ck_parallel_for(ck_cpu(backend)->pool, ck_tensor_numel(args->x), CK_CPU_MIN_ELEMENTS_PER_THREAD / 8, dropout_range,
                    &job);
    return CK_OK;
}
