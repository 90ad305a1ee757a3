/*
 * cl_conv_winograd.c — conv2d forward, and the backward-data of stride-1
 * convs, by Winograd's F(2x2, 3x3) on the kernels of Kernels/conv2d_winograd.cl,
 * for 3x3 kernels, stride 1, dilation 1, one group, on devices with the direct
 * vector kernels (CONV_VEC). x: (N, C, H, W); w: (O, C, 3, 3); y: (N, O, OH, OW).
 *
 * Three scratch buffers from the pool: winograd_weights (U: 16 x O x C)
 * once, then per chunk of tiles (whole images, V and M within CHUNK_BYTES so
 * that the GEMM and the output transform read them from cache)
 * winograd_input (V: 16 x C x tiles), winograd_gemm (M = U V: 16 x O x
 * tiles) and winograd_output (y). Whether a call takes this path: the
 * tuning's Winograd setting (the table in cl_tuning.c, or CONVKIT_CL_WINOGRAD):
 * off, or on for the convs with at least that many input and output channels.
 */
#include "opencl/cl_ops.h"

#include <stdint.h>

/* V and M of a chunk of tiles stay under this many bytes, to be read back from cache. */
#define CHUNK_BYTES (8u << 20)

/*
 * The tiles of geometry g: th x tw per image, t in all, run in chunks of `chunk` tiles (whole images, at
 * least one) whose V and M rows are tp long (the chunk rounded up to the GEMM's vector width).
 */
typedef struct tiling {
    int64_t th, tw, t, chunk, tp;
} tiling;

static tiling tiles_of(const cl_int16 *g, int vec) {
    tiling t = {.th = ((int64_t)g->s[5] + 1) / 2, .tw = ((int64_t)g->s[6] + 1) / 2};
    const int64_t per_image = t.th * t.tw, bytes_per_tile = 16 * ((int64_t)g->s[1] + g->s[4]) * (int64_t)sizeof(float);
    int64_t images = (int64_t)CHUNK_BYTES / (bytes_per_tile * (per_image > 0 ? per_image : 1));
    images = images < 1 ? 1 : images > g->s[0] ? g->s[0] : images;
    t.t = (int64_t)g->s[0] * per_image;
    t.chunk = images * per_image;
    t.tp = (t.chunk + vec - 1) / vec * vec;
    return t;
}

/* Whether the kernels can run geometry g: 3x3, stride 1, dilation 1, one group, indices within int32. */
static int winograd_fits(const ck_cl_state *state, const cl_int16 *g) {
    if (state->tuning.conv_vec <= 0) return 0;
    if (g->s[7] != 3 || g->s[8] != 3 || g->s[9] != 1 || g->s[10] != 1 || g->s[13] != 1 || g->s[14] != 1 ||
        g->s[15] != 1)
        return 0;
    const tiling t = tiles_of(g, state->tuning.conv_vec);
    const int64_t block = state->tuning.conv_block, o_packed = ((int64_t)g->s[4] + block - 1) / block * block;
    const int64_t channels = g->s[1] > g->s[4] ? g->s[1] : g->s[4];
    return t.tp > 0 && 16 * channels * t.tp <= INT32_MAX && 16 * o_packed * g->s[1] <= INT32_MAX;
}

int ck_cl_conv2d_uses_winograd(ck_backend *backend, const cl_int16 *g) {
    const ck_cl_state *state = ck_cl(backend);
    const int32_t channels = g->s[1] < g->s[4] ? g->s[1] : g->s[4];
    return state->tuning.winograd > 0 && channels >= state->tuning.winograd && winograd_fits(state, g);
}

ck_status ck_cl_conv2d_forward_winograd(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                        ck_cl_view w, int32_t flip, const ck_cl_epilogue *epilogue, float beta,
                                        ck_cl_view y) {
    const int vec = ck_cl(backend)->tuning.conv_vec, block = ck_cl(backend)->tuning.conv_block;
    const int32_t c = g->s[1], o = g->s[4], blocks = (o + block - 1) / block;
    const tiling t = tiles_of(g, vec);
    const int32_t th = (int32_t)t.th, tw = (int32_t)t.tw, tp = (int32_t)t.tp;
    const size_t u_count = (size_t)16 * blocks * block * c, v_count = (size_t)16 * c * tp, m_count = (size_t)16 * o * tp;
    cl_mem u = NULL, v = NULL, m = NULL;
    ck_status status = ck_cl_alloc(backend, op, u_count * sizeof(float), &u);
    if (status == CK_OK) status = ck_cl_alloc(backend, op, v_count * sizeof(float), &v);
    if (status == CK_OK) status = ck_cl_alloc(backend, op, m_count * sizeof(float), &m);
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(*g), CK_CL_ARG(flip), CK_CL_ARG(w.mem), CK_CL_ARG(w.offset), CK_CL_ARG(u)};
        const size_t global[2] = {(size_t)blocks * block, (size_t)c};
        const size_t local[2] = {(size_t)block, 1};
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_WINOGRAD, "winograd_weights", 2, global, local, list, 5);
    }
    for (int64_t start = 0; status == CK_OK && start < t.t; start += t.chunk) {
        const int32_t first = (int32_t)start, count = (int32_t)(t.t - start < t.chunk ? t.t - start : t.chunk);
        const ck_cl_arg in_args[] = {CK_CL_ARG(*g),    CK_CL_ARG(th),       CK_CL_ARG(tw), CK_CL_ARG(first),
                                     CK_CL_ARG(tp),    CK_CL_ARG(x.mem),    CK_CL_ARG(x.offset), CK_CL_ARG(v)};
        const size_t in_global[2] = {(size_t)tp, (size_t)c};
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_WINOGRAD, "winograd_input", 2, in_global, NULL,
                              in_args, 8);
        if (status != CK_OK) break;
        const ck_cl_arg gemm_args[] = {CK_CL_ARG(*g), CK_CL_ARG(tp), CK_CL_ARG(u), CK_CL_ARG(v), CK_CL_ARG(m)};
        const size_t gemm_global[3] = {(size_t)tp / vec, (size_t)blocks, 16};
        /* A work group: up to 8 channel blocks of the same tiles, which read the same inputs. */
        const size_t gemm_local[3] = {1, (size_t)(blocks < 8 ? blocks : 8), 1};
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_WINOGRAD, "winograd_gemm", 3, gemm_global,
                              gemm_local, gemm_args, 5);
        if (status != CK_OK) break;
        const ck_cl_arg out_args[] = {CK_CL_ARG(*g),    CK_CL_ARG(th),    CK_CL_ARG(tw), CK_CL_ARG(first),
                                      CK_CL_ARG(count), CK_CL_ARG(tp),    CK_CL_ARG(m),
                                      CK_CL_EPILOGUE_ARGS(epilogue, beta, y)};
        const size_t out_global[2] = {(size_t)count, (size_t)o};
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_WINOGRAD, "winograd_output", 2, out_global, NULL,
                              out_args, 7 + CK_CL_EPILOGUE_ARG_COUNT);
    }
    if (m) ck_cl_free(backend, m, m_count * sizeof(float));
    if (v) ck_cl_free(backend, v, v_count * sizeof(float));
    if (u) ck_cl_free(backend, u, u_count * sizeof(float));
    return status;
}
