/*
 * cl_conv_pointwise.c — conv2d backward-weights of 1x1 convolutions (stride 1,
 * no padding, one group) as one GEMM per image on gemm.cl's gemm_vec, for
 * devices whose tuning sets CONV_VEC: dw (O, C) += dy[n] (O, H*W) times
 * x[n]^T (H*W, C), image after image (the first with the caller's beta, the
 * others with 1). Each GEMM is a slice of the reduction over N*H*W with the
 * whole (O, C) output, which is small next to it.
 */
#include "opencl/cl_ops.h"

#include <stdint.h>

ck_status ck_cl_conv2d_backward_weights_pointwise(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                                  ck_cl_view dy, float beta, ck_cl_view dw) {
    const int32_t n = g->s[0], c = g->s[1], h = g->s[2], w = g->s[3], o = g->s[4];
    const int pointwise = g->s[7] == 1 && g->s[8] == 1 && g->s[9] == 1 && g->s[10] == 1 && g->s[11] == 0 &&
                          g->s[12] == 0 && g->s[15] == 1 && g->s[5] == h && g->s[6] == w;
    if (!pointwise || !ck_cl(backend)->tuning.conv_vec || (int64_t)h * w > INT32_MAX) return CK_ERR_UNSUPPORTED;
    const int32_t plane = h * w;
    ck_status status = CK_OK;
    for (int32_t i = 0; i < n && status == CK_OK; i++) {
        /* Offsets inside tensors the backend already checked for 32-bit indexing. */
        ck_cl_view dy_i = {dy.mem, dy.offset + i * o * plane}, x_i = {x.mem, x.offset + i * c * plane};
        status = ck_cl_gemm_vec(backend, op, o, c, plane, 0, 1, 1.0f, dy_i, x_i, i == 0 ? beta : 1.0f, dw);
    }
    return status;
}
