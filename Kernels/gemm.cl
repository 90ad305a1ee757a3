/*
 * gemm.cl — c = alpha * op(a) * op(b) + beta * c, row-major, op = transpose
 * when trans_* != 0. a: (M, K), or (K, M) transposed; b: (K, N), or (N, K)
 * transposed; c: (M, N). With beta == 0 the old c is not read.
 *
 * The register-tiled core of common/tiled_gemm.cl with plain loads; any M,
 * N, K (edges are masked).
 * Defines: TILE_M, TILE_N, TILE_K, WORK_M, WORK_N (see common/tiled_gemm.cl).
 * Launch: local (TILE_N / WORK_N, TILE_M / WORK_M); global = local times
 * (ceil(N / TILE_N), ceil(M / TILE_M)).
 */
#define GEMM_LOAD_A(m, k) (trans_a ? a[(k) * M + (m)] : a[(m) * K + (k)])
#define GEMM_LOAD_B(k, n) (trans_b ? b[(n) * K + (k)] : b[(k) * N + (n)])

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
