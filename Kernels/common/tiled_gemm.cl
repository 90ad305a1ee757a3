/*
 * tiled_gemm.cl — the register-tiled GEMM core shared by gemm.cl and the
 * implicit-GEMM conv kernels of conv2d.cl. Only programs built with the tile
 * defines get it.
 *
 * CK_TILED_GEMM(M, N, K, LOAD_A, LOAD_B, A_K_FASTEST, B_N_FASTEST) computes a
 * TILE_M x TILE_N block of the product of A (M x K) and B (K x N) into the
 * registers `acc`: a work group of (TILE_N / WORK_N, TILE_M / WORK_M) items,
 * each holding WORK_M x WORK_N results strided by the group's extent
 * (element (i, j) of an item is row CK_TILE_ROW(i), column CK_TILE_COL(j)),
 * walks K in TILE_K slices staged in local memory. LOAD_A(m, k) and
 * LOAD_B(k, n) are expressions for in-range elements (the macro reads zeros
 * past the edges), so A and B may be gathered on the fly (im2col folded into
 * the loads). A_K_FASTEST / B_N_FASTEST: nonzero when consecutive k of A /
 * consecutive n of B are adjacent in memory, so the tile loads coalesce.
 * CK_TILED_GEMM_RANGE(M, N, K_BEGIN, K_END, ...) sums only k in
 * [K_BEGIN, K_END) (a slice of K, for split-K: K_BEGIN a multiple of TILE_K
 * keeps the slices' TILE_K steps aligned); an empty range leaves acc zero.
 *
 * Defines: TILE_M, TILE_N (block), TILE_K (K slice), WORK_M, WORK_N (results
 * per item; divide TILE_M and TILE_N).
 * Launch: local (TILE_N / WORK_N, TILE_M / WORK_M); dimension 0 counts
 * column blocks, dimension 1 row blocks.
 */
#ifdef TILE_M
#define THREADS_M (TILE_M / WORK_M)
#define THREADS_N (TILE_N / WORK_N)
#define THREADS (THREADS_M * THREADS_N)
#define CK_TILED_KERNEL __kernel __attribute__((reqd_work_group_size(THREADS_N, THREADS_M, 1)))
#define CK_TILE_ROW(i) (get_group_id(1) * TILE_M + get_local_id(1) + (i) * THREADS_M)
#define CK_TILE_COL(j) (get_group_id(0) * TILE_N + get_local_id(0) + (j) * THREADS_N)

#define CK_TILED_GEMM(M, N, K, LOAD_A, LOAD_B, A_K_FASTEST, B_N_FASTEST)                                 \
    CK_TILED_GEMM_RANGE(M, N, 0, K, LOAD_A, LOAD_B, A_K_FASTEST, B_N_FASTEST)

#define CK_TILED_GEMM_RANGE(M, N, K_BEGIN, K_END, LOAD_A, LOAD_B, A_K_FASTEST, B_N_FASTEST)              \
    __local float a_tile[TILE_K][TILE_M];                                                                \
    __local float b_tile[TILE_K][TILE_N];                                                                \
    float acc[WORK_M][WORK_N];                                                                           \
    {                                                                                                    \
        const int tn = get_local_id(0), tm = get_local_id(1), tid = tm * THREADS_N + tn;                 \
        const int m0 = get_group_id(1) * TILE_M, n0 = get_group_id(0) * TILE_N;                          \
        for (int i = 0; i < WORK_M; i++)                                                                 \
            for (int j = 0; j < WORK_N; j++) acc[i][j] = 0.0f;                                           \
        for (int k0 = (K_BEGIN); k0 < (K_END); k0 += TILE_K) {                                           \
            for (int e = tid; e < TILE_K * TILE_M; e += THREADS) {                                       \
                int kk = (A_K_FASTEST) ? e % TILE_K : e / TILE_M;                                        \
                int mm = (A_K_FASTEST) ? e / TILE_K : e % TILE_M;                                        \
                int m = m0 + mm, k = k0 + kk;                                                            \
                a_tile[kk][mm] = (m < (M) && k < (K_END)) ? (LOAD_A(m, k)) : 0.0f;                       \
            }                                                                                            \
            for (int e = tid; e < TILE_K * TILE_N; e += THREADS) {                                       \
                int kk = (B_N_FASTEST) ? e / TILE_N : e % TILE_K;                                        \
                int nn = (B_N_FASTEST) ? e % TILE_N : e / TILE_K;                                        \
                int n = n0 + nn, k = k0 + kk;                                                            \
                b_tile[kk][nn] = (n < (N) && k < (K_END)) ? (LOAD_B(k, n)) : 0.0f;                       \
            }                                                                                            \
            barrier(CLK_LOCAL_MEM_FENCE);                                                                \
            for (int kk = 0; kk < TILE_K; kk++) {                                                        \
                float a_reg[WORK_M], b_reg[WORK_N];                                                      \
                for (int i = 0; i < WORK_M; i++) a_reg[i] = a_tile[kk][tm + i * THREADS_M];              \
                for (int j = 0; j < WORK_N; j++) b_reg[j] = b_tile[kk][tn + j * THREADS_N];              \
                for (int i = 0; i < WORK_M; i++)                                                         \
                    for (int j = 0; j < WORK_N; j++) acc[i][j] = fma(a_reg[i], b_reg[j], acc[i][j]);     \
            }                                                                                            \
            barrier(CLK_LOCAL_MEM_FENCE);                                                                \
        }                                                                                                \
    }
#endif
