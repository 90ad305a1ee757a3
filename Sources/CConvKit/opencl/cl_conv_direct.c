/*
 * cl_conv_direct.c — conv2d on the direct vector kernels of Kernels/conv2d_direct.cl
 * (conv2d_forward_flat, conv2d_forward_vec, conv2d_backward_weights_vec), for
 * devices whose tuning sets CONV_VEC (CPU devices such as PoCL, whose
 * compilers map OpenCL vectors onto SIMD registers). x: (N, C, H, W);
 * w: (O, C/G, KH, KW); y: (N, O, OH, OW).
 *
 * Two passes into pooled scratch come first: conv2d_pack_weights lays the
 * weights out as the kernel reads them (CONV_BLOCK channels side by side per
 * tap), and conv2d_pad_input writes the input out with its padding, as the
 * kernel reads rows without bounds checks — unless x already has that layout
 * (no padding, rows as wide as the kernel reads: many 1x1 convolutions).
 * Backward-weights (conv2d_backward_weights_vec) reads the same padded input,
 * and dy with rows rounded up to whole vectors (zeros past the end).
 */
#include "opencl/cl_ops.h"

#include <stdint.h>

/* The launch of conv2d_pad_input: x (N, C, H, W), upsampled by `up` (NULL: 1, 1), into xp (N, C, hp, wp). */
static ck_status pad_input(ck_backend *backend, const char *op, const cl_int16 *g, int32_t hp, int32_t wp,
                           const int32_t *up, ck_cl_view x, cl_mem xp) {
    cl_int2 factor = {{up ? up[0] : 1, up ? up[1] : 1}};
    const ck_cl_arg list[] = {CK_CL_ARG(*g),    CK_CL_ARG(hp),       CK_CL_ARG(wp), CK_CL_ARG(factor),
                              CK_CL_ARG(x.mem), CK_CL_ARG(x.offset), CK_CL_ARG(xp)};
    const size_t global[3] = {(size_t)wp, (size_t)hp, (size_t)g->s[0] * (size_t)g->s[1]};
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_DIRECT, "conv2d_pad_input", 3, global, NULL, list, 7);
}

/* The launch of conv2d_pack_weights: w (flipped or not) into `packed`, `count` floats. */
static ck_status pack_weights(ck_backend *backend, const char *op, const cl_int16 *g, int32_t flip, ck_cl_view w,
                              cl_mem packed, size_t count) {
    const ck_cl_arg list[] = {CK_CL_ARG(*g), CK_CL_ARG(flip), CK_CL_ARG(w.mem), CK_CL_ARG(w.offset), CK_CL_ARG(packed)};
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_DIRECT, "conv2d_pack_weights", 1, &count, NULL, list, 5);
}

/* The padded planes a call reads: hp x wp, `slack` floats read past the last one, and the launch. */
typedef struct plan {
    int flat;             /* stride 1: conv2d_forward_flat, else conv2d_forward_vec */
    int fits;             /* the padded planes of the whole batch index with 32-bit integers */
    int32_t hp, wp;
    size_t slack, count;  /* count: floats of the padded input, slack included */
    size_t global[3];
} plan;

/* The plan of geometry g with vectors of `vec` lanes and `blocks` channel blocks: flat when `flat` and stride 1. */
static plan make_plan(const cl_int16 *g, int vec, int blocks, int flat) {
    const int64_t n = g->s[0], c = g->s[1], oh = g->s[5], ow = g->s[6], kh = g->s[7], kw = g->s[8];
    const int64_t sh = g->s[9], sw = g->s[10], dh = g->s[13], dw = g->s[14];
    plan p = {.flat = flat && sh == 1 && sw == 1};
    int64_t hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp, slack = 0, vectors;
    if (p.flat) {
        wp = ow + (kw - 1) * dw;
        vectors = (oh * wp + vec - 1) / vec;
        int64_t last_read = vectors * vec - 1 + (kh - 1) * dh * wp + (kw - 1) * dw;
        slack = last_read + 1 > hp * wp ? last_read + 1 - hp * wp : 0;
        p.global[0] = (size_t)vectors, p.global[1] = (size_t)blocks, p.global[2] = (size_t)n;
    } else {
        vectors = (ow + vec - 1) / vec;
        wp = vectors * vec * sw + (kw - 1) * dw;
        p.global[0] = (size_t)vectors, p.global[1] = (size_t)blocks, p.global[2] = (size_t)(n * oh);
    }
    /* Every factor is below 2^31: the products below fit in int64 unless huge, which `fits` then rules out. */
    p.fits = hp <= INT32_MAX && wp <= INT32_MAX && hp * wp <= INT32_MAX && n * c <= INT32_MAX &&
             n * c * hp * wp + slack <= INT32_MAX;
    if (p.fits) p.hp = (int32_t)hp, p.wp = (int32_t)wp, p.slack = (size_t)slack, p.count = (size_t)(n * c * hp * wp + slack);
    return p;
}

/* Whether x can be read as the padded planes itself: no padding, rows of wp, enough rows, and the slack inside its buffer. */
static int reads_x_directly(const cl_int16 *g, const plan *p, ck_cl_view x) {
    const int n = g->s[0], c = g->s[1], h = g->s[2], width = g->s[3], pt = g->s[11], pl = g->s[12];
    size_t buffer_floats = 0;
    clGetMemObjectInfo(x.mem, CL_MEM_SIZE, sizeof buffer_floats, &buffer_floats, NULL);
    buffer_floats /= sizeof(float);
    return pt == 0 && pl == 0 && width == p->wp && h >= p->hp &&
           (size_t)x.offset + (size_t)n * c * h * width + p->slack <= buffer_floats;
}

ck_status ck_cl_conv2d_forward_vec(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                   ck_cl_view w, const int32_t *backward_stride, const ck_cl_epilogue *epilogue,
                                   float beta, ck_cl_view y) {
    const int vec = ck_cl(backend)->tuning.conv_vec, block = ck_cl(backend)->tuning.conv_block;
    const int c = g->s[1], h = g->s[2], o = g->s[4], kh = g->s[7], kw = g->s[8], groups = g->s[15];
    const int blocks = groups * ((o / groups + block - 1) / block);
    const plan p = make_plan(g, vec, blocks, 1);
    if (!p.fits) return CK_ERR_UNSUPPORTED;
    const int upsampled = backward_stride && (backward_stride[0] > 1 || backward_stride[1] > 1);
    const int padded = upsampled || !reads_x_directly(g, &p, x);
    const int32_t flip = backward_stride != NULL;
    const size_t xp_count = p.count;
    const size_t packed_count = (size_t)blocks * (size_t)(c / groups) * (size_t)(kh * kw) * (size_t)block;
    cl_mem padded_x = NULL, packed = NULL;
    ck_status status = ck_cl_alloc(backend, op, packed_count * sizeof(float), &packed);
    if (status == CK_OK) status = pack_weights(backend, op, g, flip, w, packed, packed_count);
    if (status == CK_OK && padded) status = ck_cl_alloc(backend, op, xp_count * sizeof(float), &padded_x);
    if (status == CK_OK && padded)
        status = pad_input(backend, op, g, p.hp, p.wp, upsampled ? backward_stride : NULL, x, padded_x);
    cl_mem xp = padded ? padded_x : x.mem;
    int32_t xp_off = padded ? 0 : x.offset, hp = padded ? p.hp : h; /* x itself: its rows are the padded rows */
    /* A work group: up to 8 channel blocks of the same positions, which read the same input. */
    const size_t local[3] = {1, (size_t)(blocks < 8 ? blocks : 8), 1};
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(*g),     CK_CL_ARG(hp),     CK_CL_ARG(p.wp),
                                  CK_CL_ARG(xp),     CK_CL_ARG(xp_off), CK_CL_ARG(packed),
                                  CK_CL_EPILOGUE_ARGS(epilogue, beta, y)};
        const char *kernel = p.flat ? "conv2d_forward_flat" : "conv2d_forward_vec";
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_DIRECT, kernel, 3, p.global, local, list,
                              6 + CK_CL_EPILOGUE_ARG_COUNT);
    }
    if (padded_x) ck_cl_free(backend, padded_x, xp_count * sizeof(float));
    if (packed) ck_cl_free(backend, packed, packed_count * sizeof(float));
    return status;
}

ck_status ck_cl_conv2d_backward_weights_vec(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                            ck_cl_view dy, float beta, ck_cl_view dw) {
    const int vec = ck_cl(backend)->tuning.conv_vec;
    const int n = g->s[0], c = g->s[1], h = g->s[2], o = g->s[4], oh = g->s[5], ow = g->s[6];
    const int taps = g->s[7] * g->s[8], groups = g->s[15];
    const plan p = make_plan(g, vec, 1, 0); /* rows of whole vectors */
    const int32_t pitch = (int32_t)(p.global[0] * vec);
    const size_t xp_count = p.count, dyp_count = (size_t)n * o * oh * pitch;
    if (!p.fits || dyp_count > INT32_MAX) return CK_ERR_UNSUPPORTED;
    const int pad_x = !reads_x_directly(g, &p, x), pad_dy = pitch != ow;
    cl_mem padded_x = NULL, padded_dy = NULL;
    ck_status status = CK_OK;
    if (pad_x) {
        status = ck_cl_alloc(backend, op, xp_count * sizeof(float), &padded_x);
        if (status == CK_OK) status = pad_input(backend, op, g, p.hp, p.wp, NULL, x, padded_x);
    }
    if (status == CK_OK && pad_dy) { /* dy as an unpadded "input" of OH rows of `pitch` */
        const int64_t dims[4] = {n, o, oh, ow}, none[4] = {1, 1, 1, 1};
        const int32_t one[2] = {1, 1}, zero[2] = {0, 0};
        cl_int16 dy_geometry = ck_cl_conv_geometry(dims, dims, none, one, zero, one, 1);
        status = ck_cl_alloc(backend, op, dyp_count * sizeof(float), &padded_dy);
        if (status == CK_OK) status = pad_input(backend, op, &dy_geometry, oh, pitch, NULL, dy, padded_dy);
    }
    /* Images per chunk: enough for a few hundred vector rows per item, few enough to stay in cache. */
    const int32_t images = (int32_t)((512 + (size_t)oh * p.global[0] - 1) / ((size_t)oh * p.global[0]));
    const int32_t chunks = (n + images - 1) / images, count = o * (c / groups) * taps;
    cl_mem partial = NULL;
    if (status == CK_OK && chunks > 1) status = ck_cl_alloc(backend, op, (size_t)chunks * count * sizeof(float), &partial);
    if (status == CK_OK) {
        cl_mem xp = pad_x ? padded_x : x.mem, dyp = pad_dy ? padded_dy : dy.mem;
        int32_t xp_off = pad_x ? 0 : x.offset, dyp_off = pad_dy ? 0 : dy.offset, hp = pad_x ? p.hp : h;
        const ck_cl_arg list[] = {CK_CL_ARG(*g),      CK_CL_ARG(hp),      CK_CL_ARG(p.wp),  CK_CL_ARG(xp),
                                  CK_CL_ARG(xp_off),  CK_CL_ARG(dyp),     CK_CL_ARG(dyp_off), CK_CL_ARG(images),
                                  CK_CL_ARG(partial), CK_CL_ARG(beta),    CK_CL_ARG(dw.mem), CK_CL_ARG(dw.offset)};
        const size_t global[3] = {(size_t)((c / groups + 3) / 4), (size_t)groups * ((o / groups + 3) / 4),
                                  (size_t)chunks * taps};
        /* A work group: the taps of one tile and chunk, which read the same images (64: every device's dim-2 limit). */
        const size_t local[3] = {1, 1, taps <= 64 ? (size_t)taps : 1};
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_DIRECT, "conv2d_backward_weights_vec", 3, global,
                              local, list, 12);
    }
    if (status == CK_OK && partial) {
        const ck_cl_arg list[] = {CK_CL_ARG(count), CK_CL_ARG(chunks), CK_CL_ARG(partial), CK_CL_ARG(beta),
                                  CK_CL_ARG(dw.mem), CK_CL_ARG(dw.offset)};
        const size_t items = (size_t)count;
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_DIRECT, "conv2d_sum_partials", 1, &items, NULL, list,
                              6);
    }
    if (partial) ck_cl_free(backend, partial, (size_t)chunks * count * sizeof(float));
    if (padded_x) ck_cl_free(backend, padded_x, xp_count * sizeof(float));
    if (padded_dy) ck_cl_free(backend, padded_dy, dyp_count * sizeof(float));
    return status;
}
