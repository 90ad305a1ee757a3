/* shapes.c — the core set of benchmark shapes, the shape list, and the work each pass counts. */
#include "shapes.h"

#include <stdlib.h>

/* name, description, network, kind, set, occurrences, n, c, h, w, o, kernel, stride, pad, groups, pool mode */
static const bench_shape core_shapes[] = {
    {"conv3x3_64x56", "ResNet conv2_x: 64->64 3x3 p1 at 56x56", "core",
     BENCH_CONV, BENCH_SET_CORE, 1, 32, 64, 56, 56, 64, 3, 1, 1, 1, CK_POOL_MAX},
    {"conv3x3_128x28", "ResNet conv3_x: 128->128 3x3 p1 at 28x28", "core",
     BENCH_CONV, BENCH_SET_CORE, 1, 32, 128, 28, 28, 128, 3, 1, 1, 1, CK_POOL_MAX},
    {"conv3x3_256x14", "ResNet conv4_x: 256->256 3x3 p1 at 14x14", "core",
     BENCH_CONV, BENCH_SET_CORE, 1, 32, 256, 14, 14, 256, 3, 1, 1, 1, CK_POOL_MAX},
    {"conv1x1_64to256x56", "ResNet-50 bottleneck expansion: 64->256 1x1 at 56x56", "core",
     BENCH_CONV, BENCH_SET_CORE, 1, 32, 64, 56, 56, 256, 1, 1, 0, 1, CK_POOL_MAX},
    {"conv7x7s2_3to64x224", "ResNet stem: 3->64 7x7 stride 2 p3 at 224x224", "core",
     BENCH_CONV, BENCH_SET_CORE, 1, 8, 3, 224, 224, 64, 7, 2, 3, 1, CK_POOL_MAX},
    {"dwconv3x3_128x56", "MobileNet depthwise: 128 channels 3x3 p1 groups 128 at 56x56", "core",
     BENCH_CONV, BENCH_SET_CORE, 1, 32, 128, 56, 56, 128, 3, 1, 1, 128, CK_POOL_MAX},
    {"convT4x4s2_64to32x28", "decoder upsampling: transposed 64->32 4x4 stride 2 p1, 28x28 -> 56x56", "core",
     BENCH_CONV_TRANSPOSE, BENCH_SET_CORE, 1, 16, 64, 28, 28, 32, 4, 2, 1, 1, CK_POOL_MAX},
    {"maxpool3x3s2_64x112", "ResNet stem pool: max 3x3 stride 2 p1, 64 channels at 112x112", "core",
     BENCH_POOL, BENCH_SET_CORE, 1, 32, 64, 112, 112, 64, 3, 2, 1, 1, CK_POOL_MAX},
    {"avgpool2x2s2_64x112", "average 2x2 stride 2, 64 channels at 112x112", "core",
     BENCH_POOL, BENCH_SET_CORE, 1, 32, 64, 112, 112, 64, 2, 2, 0, 1, CK_POOL_AVG},
    {"bn_64x56", "ResNet conv2_x batch norm (training): 64 channels at 56x56", "core",
     BENCH_BATCHNORM, BENCH_SET_CORE, 1, 32, 64, 56, 56, 64, 1, 1, 0, 1, CK_POOL_MAX},
    {"gemm_1024", "square GEMM as a dense layer: x (1024, 1024) times w (1024, 1024)^T", "core",
     BENCH_GEMM, BENCH_SET_CORE, 1, 1024, 1024, 1, 1, 1024, 1, 1, 0, 1, CK_POOL_MAX},
};

bench_shape *bench_shape_list_add(bench_shape_list *list, const bench_shape *shape) {
    if (list->count == list->capacity) {
        int capacity = list->capacity ? 2 * list->capacity : 64;
        bench_shape *grown = realloc(list->items, (size_t)capacity * sizeof *grown);
        if (!grown) return NULL;
        list->items = grown, list->capacity = capacity;
    }
    list->items[list->count] = *shape;
    return &list->items[list->count++];
}

void bench_shape_list_free(bench_shape_list *list) {
    free(list->items);
    *list = (bench_shape_list){0};
}

int bench_add_core_shapes(bench_shape_list *list) {
    for (size_t i = 0; i < sizeof core_shapes / sizeof core_shapes[0]; i++)
        if (!bench_shape_list_add(list, &core_shapes[i])) return -1;
    return 0;
}

int64_t bench_quick_batch(int64_t n) { return n / 8 > 0 ? n / 8 : 1; }

static int has_two_passes(const bench_shape *shape) {
    return shape->kind == BENCH_POOL || shape->kind == BENCH_BATCHNORM;
}

int bench_pass_count(const bench_shape *shape) { return has_two_passes(shape) ? 2 : 3; }

const char *bench_pass_name(const bench_shape *shape, bench_pass pass) {
    switch (pass) {
    case BENCH_FORWARD: return "forward";
    case BENCH_BACKWARD_DATA: return has_two_passes(shape) ? "backward" : "backward_data";
    case BENCH_BACKWARD_WEIGHTS: return "backward_weights";
    }
    return "?";
}

ck_op bench_pass_op(const bench_shape *shape, bench_pass pass) {
    static const ck_op ops[5][3] = {
        [BENCH_CONV] = {CK_OP_CONV2D_FORWARD, CK_OP_CONV2D_BACKWARD_DATA, CK_OP_CONV2D_BACKWARD_WEIGHTS},
        [BENCH_CONV_TRANSPOSE] = {CK_OP_CONV_TRANSPOSE2D_FORWARD, CK_OP_CONV_TRANSPOSE2D_BACKWARD_DATA,
                                  CK_OP_CONV_TRANSPOSE2D_BACKWARD_WEIGHTS},
        [BENCH_POOL] = {CK_OP_POOL2D_FORWARD, CK_OP_POOL2D_BACKWARD, CK_OP_POOL2D_BACKWARD},
        [BENCH_BATCHNORM] = {CK_OP_BATCHNORM2D_FORWARD, CK_OP_BATCHNORM2D_BACKWARD, CK_OP_BATCHNORM2D_BACKWARD},
        [BENCH_GEMM] = {CK_OP_GEMM, CK_OP_GEMM, CK_OP_GEMM},
    };
    return ops[shape->kind][pass];
}

const char *bench_kind_name(bench_kind kind) {
    static const char *const names[] = {"conv2d", "conv_transpose2d", "pool2d", "batchnorm2d", "gemm"};
    return names[kind];
}

int bench_is_memory_bound(const bench_shape *shape) { return has_two_passes(shape); }

const char *bench_rate_unit(const bench_shape *shape) { return bench_is_memory_bound(shape) ? "GB/s" : "GFLOP/s"; }

void bench_weight_dims(const bench_shape *shape, int64_t w_dims[4]) {
    int64_t k = shape->kernel;
    if (shape->kind == BENCH_CONV_TRANSPOSE) {
        w_dims[0] = shape->c, w_dims[1] = shape->o / shape->groups;
    } else {
        w_dims[0] = shape->o, w_dims[1] = shape->c / shape->groups;
    }
    w_dims[2] = k, w_dims[3] = k;
}

void bench_output_dims(const bench_shape *shape, int64_t n, int64_t y_dims[4]) {
    int64_t k = shape->kernel, s = shape->stride, p = shape->pad;
    y_dims[0] = n;
    switch (shape->kind) {
    case BENCH_CONV_TRANSPOSE:
        y_dims[1] = shape->o;
        y_dims[2] = ck_conv_transpose_output_size(shape->h, k, s, p, p, 1, 0);
        y_dims[3] = ck_conv_transpose_output_size(shape->w, k, s, p, p, 1, 0);
        return;
    case BENCH_BATCHNORM:
        y_dims[1] = shape->c, y_dims[2] = shape->h, y_dims[3] = shape->w;
        return;
    case BENCH_GEMM:
        y_dims[1] = shape->o, y_dims[2] = y_dims[3] = 1;
        return;
    default:
        y_dims[1] = shape->kind == BENCH_POOL ? shape->c : shape->o;
        y_dims[2] = ck_conv_output_size(shape->h, k, s, p, p, 1);
        y_dims[3] = ck_conv_output_size(shape->w, k, s, p, p, 1);
    }
}

double bench_work(const bench_shape *shape, bench_pass pass, int64_t n) {
    int64_t y[4];
    bench_output_dims(shape, n, y);
    double taps = (double)shape->kernel * shape->kernel;
    double x_elements = (double)n * shape->c * shape->h * shape->w;
    double y_elements = (double)y[0] * y[1] * y[2] * y[3];
    switch (shape->kind) {
    case BENCH_CONV: /* every output element sums (C/g)·K·K products */
        return 2.0 * y_elements * (double)(shape->c / shape->groups) * taps;
    case BENCH_CONV_TRANSPOSE: /* every input element meets (O/g)·K·K weights */
        return 2.0 * x_elements * (double)(shape->o / shape->groups) * taps;
    case BENCH_GEMM:
        return 2.0 * (double)n * (double)shape->c * (double)shape->o;
    case BENCH_BATCHNORM:
        return 4.0 * (pass == BENCH_FORWARD ? 2.0 : 3.0) * x_elements;
    case BENCH_POOL:
        if (pass == BENCH_FORWARD) return 4.0 * (x_elements + y_elements);
        return 4.0 * (y_elements + x_elements + (shape->pool_mode == CK_POOL_MAX ? x_elements : 0.0));
    }
    return 0.0;
}

ck_conv2d_params bench_conv_params(const bench_shape *shape) {
    ck_conv2d_params params = ck_conv2d_params_default();
    params.stride_h = params.stride_w = shape->stride;
    params.pad_top = params.pad_bottom = params.pad_left = params.pad_right = shape->pad;
    params.groups = shape->groups;
    return params;
}

ck_conv_transpose2d_params bench_conv_transpose_params(const bench_shape *shape) {
    ck_conv_transpose2d_params params = ck_conv_transpose2d_params_default();
    params.stride_h = params.stride_w = shape->stride;
    params.pad_top = params.pad_bottom = params.pad_left = params.pad_right = shape->pad;
    params.groups = shape->groups;
    return params;
}

ck_pool2d_params bench_pool_params(const bench_shape *shape) {
    ck_pool2d_params params = ck_pool2d_params_default(shape->pool_mode, shape->kernel, shape->kernel);
    params.stride_h = params.stride_w = shape->stride;
    params.pad_top = params.pad_bottom = params.pad_left = params.pad_right = shape->pad;
    return params;
}
