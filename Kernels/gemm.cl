/*
 * gemm.cl — c = alpha * op(a) * op(b) + beta * c, row-major, op = transpose
 * when trans_* != 0. a: (M, K), or (K, M) transposed; b: (K, N), or (N, K)
 * transposed; c: (M, N). With beta == 0 the old c is not read.
 *
 *  - gemm: the register-tiled core of common/tiled_gemm.cl with plain loads;
 *    any M, N, K (edges are masked). For GPUs.
 *  - gemm_vec (+ gemm_pack_b): for devices whose tuning sets CONV_VEC (CPU
 *    devices such as PoCL): each work item computes CONV_BLOCK rows of
 *    CONV_VEC adjacent columns in vector accumulators; each k is one vector
 *    load of b's row and CONV_BLOCK broadcast elements of a.
 * Defines: TILE_M, TILE_N, TILE_K, WORK_M, WORK_N (see common/tiled_gemm.cl);
 * CONV_VEC (4, 8 or 16; 0: no gemm_vec), CONV_BLOCK (1 ... 16).
 * Vectors: common/vector.cl. Launches: in each kernel's comment.
 */
#define GEMM_LOAD_A(m, k) (trans_a ? a[(k) * M + (m)] : a[(m) * K + (k)])
#define GEMM_LOAD_B(k, n) (trans_b ? b[(n) * K + (k)] : b[(k) * N + (n)])

/** Launch: local (TILE_N / WORK_N, TILE_M / WORK_M); global = local times (ceil(N / TILE_N), ceil(M / TILE_M)). */
CK_TILED_KERNEL
void gemm(int M, int N, int K, int trans_a, int trans_b, float alpha, __global const float *a, int a_off,
          __global const float *b, int b_off, float beta, __global float *c, int c_off) {
    a += a_off;
    b += b_off;
    c += c_off;
    CK_TILED_GEMM(M, N, K, GEMM_LOAD_A, GEMM_LOAD_B, !trans_a, !trans_b)
    for (int i = 0; i < WORK_M; i++) {
        int m = CK_TILE_ROW(i);
        for (int j = 0; j < WORK_N; j++) {
            int n = CK_TILE_COL(j);
            if (m < M && n < N) c[m * N + n] = ck_accumulate(alpha * acc[i][j], beta, c + m * N + n);
        }
    }
}

#if defined(CONV_VEC) && CONV_VEC > 0
/**
 * bp (K, NP) = op(b) (K, N) with zero columns from N to NP (a multiple of
 * CONV_VEC), so gemm_vec reads whole vectors. One item per element.
 * Launch: global (NP, K), any group size.
 */
__kernel void gemm_pack_b(int N, int K, int NP, int trans_b, __global const float *b, int b_off, __global float *bp) {
    int n = get_global_id(0), k = get_global_id(1);
    if (n >= NP || k >= K) return;
    bp[k * NP + n] = n < N ? (trans_b ? b[b_off + n * K + k] : b[b_off + k * N + n]) : 0.0f;
}

/**
 * c = alpha * op(a) * bp + beta * c, bp (K, NP): b itself when it is (K, N)
 * with N a multiple of CONV_VEC, else gemm_pack_b's copy. Work item (v, r)
 * computes columns v * CONV_VEC ... + CONV_VEC - 1 of rows r * CONV_BLOCK
 * ... + CONV_BLOCK - 1 (rows past M read row M - 1 and store nothing).
 * Launch: global (NP / CONV_VEC, ceil(M / CONV_BLOCK)), any group size.
 */
__kernel void gemm_vec(int M, int N, int K, int NP, int trans_a, float alpha, __global const float *a, int a_off,
                       __global const float *bp, int bp_off, float beta, __global float *c, int c_off) {
    const int v = get_global_id(0), r = get_global_id(1);
    const int n0 = v * CONV_VEC, m0 = r * CONV_BLOCK;
    if (n0 >= NP || m0 >= M) return;
    const int row_step = trans_a ? 1 : K, k_step = trans_a ? M : 1; /* a[m, k] = a[m * row_step + k * k_step] */
    __global const float *col = bp + bp_off + n0;
#define CK_ROW(i)                                                                                                  \
    __global const float *a##i = a + a_off + min(m0 + i, M - 1) * row_step;                                       \
    floatV acc##i = (floatV)(0.0f);
    CK_FOR_BLOCK(CK_ROW)
    for (int k = 0, ak = 0; k < K; k++, ak += k_step, col += NP) {
        const floatV bk = vloadV(0, col);
#define CK_FMA(i) acc##i = fma((floatV)(a##i[ak]), bk, acc##i);
        CK_FOR_BLOCK(CK_FMA)
    }
    const int whole = n0 + CONV_VEC <= N;
#define CK_STORE(i)                                                                                                \
    if (m0 + i < M) {                                                                                             \
        __global float *out = c + c_off + (m0 + i) * N + n0;                                                      \
        if (whole) {                                                                                              \
            floatV value = alpha * acc##i;                                                                        \
            vstoreV(beta == 0.0f ? value : value + beta * vloadV(0, out), 0, out);                                \
        } else {                                                                                                  \
            float lanes[CONV_VEC];                                                                                \
            vstoreV(acc##i, 0, lanes);                                                                            \
            for (int j = 0; j < N - n0; j++) out[j] = ck_accumulate(alpha * lanes[j], beta, out + j);            \
        }                                                                                                         \
    }
    CK_FOR_BLOCK(CK_STORE)
}
#endif
