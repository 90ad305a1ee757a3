/*
 * suite_device_faults.c — injected faults on the OpenCL backend
 * (CONVKIT_FAULT=build|alloc|enqueue[:op], core/fault.h): a failed program
 * build, a failed allocation (a buffer, an op's scratch, a kernel launch of a
 * lazily allocating driver) and a failed enqueue (a kernel, a copy) each give
 * a clear status (CK_ERR_DEVICE, CK_ERR_OUT_OF_MEMORY) and a message naming
 * the op, the device and the OpenCL error, leave the outputs untouched, and
 * the context runs the op right afterwards. Part of the "device" suite.
 */
#include "device_support.h"
#include "suites.h"

/**
 * One op on fresh tensors of ctx, outputs filled with known values first;
 * sets *untouched (the outputs still hold them) and *right (they match the
 * reference backend). Returns the op's status.
 */
typedef ck_status (*fault_op)(ckt_run *run, ck_context *ctx, int *untouched, int *right);

/* Sets *untouched and *right from out (n elements; `before` held its values before the call) and out_ref. */
#define OUTPUT_CHECK(out, out_ref, n)                                                                    \
    do {                                                                                                 \
        double got[n], want[n];                                                                          \
        ckt_read(out, got);                                                                              \
        ckt_read(out_ref, want);                                                                         \
        *untouched = 1, *right = 1;                                                                      \
        for (int i = 0; i < (n); i++) {                                                                  \
            *untouched &= got[i] == before[i];                                                           \
            *right &= got[i] == want[i] || (got[i] - want[i]) * (got[i] - want[i]) <= 1e-10 * (1 + want[i] * want[i]); \
        }                                                                                                \
    } while (0)

static ck_status fault_fill(ckt_run *run, ck_context *ctx, int *untouched, int *right) {
    const int64_t n = 16;
    ckt_tensor *y = ckt_new(run, ctx, CK_F32, 1, &n), *yr = ckt_new(run, run->ref, CK_F32, 1, &n);
    ck_status status = CK_ERR_INTERNAL;
    if (y && yr) {
        double before[16];
        ckt_fill_uniform(y, 5, -1.0, 1.0);
        ckt_read(y, before);
        status = ck_fill(ctx, 1.5f, &y->t);
        ck_fill(run->ref, 1.5f, &yr->t);
        OUTPUT_CHECK(y, yr, 16);
    }
    ckt_free(y);
    ckt_free(yr);
    return status;
}

static ck_status fault_copy(ckt_run *run, ck_context *ctx, int *untouched, int *right) {
    const int64_t n = 16;
    ckt_tensor *x = ckt_new(run, ctx, CK_F32, 1, &n), *y = ckt_new(run, ctx, CK_F32, 1, &n);
    ck_status status = CK_ERR_INTERNAL;
    if (x && y) {
        double before[16];
        ckt_fill_uniform(x, 6, -1.0, 1.0);
        ckt_fill_uniform(y, 7, -1.0, 1.0);
        ckt_read(y, before);
        status = ck_copy(ctx, &x->t, &y->t);
        OUTPUT_CHECK(y, x, 16);
    }
    ckt_free(x);
    ckt_free(y);
    return status;
}

static ck_status fault_relu(ckt_run *run, ck_context *ctx, int *untouched, int *right) {
    const int64_t n = 16;
    ckt_tensor *x = ckt_new(run, ctx, CK_F32, 1, &n), *y = ckt_new(run, ctx, CK_F32, 1, &n);
    ckt_tensor *xr = NULL, *yr = ckt_new(run, run->ref, CK_F32, 1, &n);
    ck_status status = CK_ERR_INTERNAL;
    if (x && y && yr) {
        double before[16];
        ckt_fill_uniform(x, 8, -1.0, 1.0);
        ckt_fill_uniform(y, 9, -1.0, 1.0);
        ckt_read(y, before);
        xr = ckt_clone_to(run, x, run->ref, CK_F32);
        status = ck_activation_forward(ctx, CK_ACT_RELU, 0.0f, &x->t, &y->t);
        if (xr) ck_activation_forward(run->ref, CK_ACT_RELU, 0.0f, &xr->t, &yr->t);
        OUTPUT_CHECK(y, yr, 16);
    }
    ckt_free(x), ckt_free(y), ckt_free(xr), ckt_free(yr);
    return status;
}

/* Softmax cross-entropy forward on (3, 4) logits: checks probs (and that the loss is untouched on failure). */
static ck_status fault_softmax(ckt_run *run, ck_context *ctx, int *untouched, int *right) {
    const int64_t dims[2] = {3, 4}, rows = 3;
    ckt_tensor *z = ckt_new(run, ctx, CK_F32, 2, dims), *p = ckt_new(run, ctx, CK_F32, 2, dims);
    ckt_tensor *labels = ckt_new(run, ctx, CK_I32, 1, &rows), *loss = ckt_new(run, ctx, CK_F32, 0, NULL);
    ckt_tensor *zr = NULL, *lr = NULL, *pr = ckt_new(run, run->ref, CK_F32, 2, dims);
    ckt_tensor *lossr = ckt_new(run, run->ref, CK_F32, 0, NULL);
    ck_status status = CK_ERR_INTERNAL;
    if (z && p && labels && loss && pr && lossr) {
        const double label_values[3] = {0, 3, 1};
        double before[12], loss_before, loss_after;
        ckt_write(labels, label_values);
        ckt_fill_uniform(z, 10, -2.0, 2.0);
        ckt_fill_uniform(p, 11, -1.0, 1.0);
        ckt_fill_uniform(loss, 12, -1.0, 1.0);
        ckt_read(p, before);
        ckt_read(loss, &loss_before);
        zr = ckt_clone_to(run, z, run->ref, CK_F32);
        lr = ckt_clone_to(run, labels, run->ref, CK_I32);
        status = ck_softmax_cross_entropy_forward(ctx, 0.0f, &z->t, &labels->t, &p->t, &loss->t);
        if (zr && lr) ck_softmax_cross_entropy_forward(run->ref, 0.0f, &zr->t, &lr->t, &pr->t, &lossr->t);
        OUTPUT_CHECK(p, pr, 12);
        ckt_read(loss, &loss_after);
        *untouched &= loss_after == loss_before;
    }
    ckt_free(z), ckt_free(p), ckt_free(labels), ckt_free(loss), ckt_free(zr), ckt_free(lr), ckt_free(pr), ckt_free(lossr);
    return status;
}

/* conv2d forward, x (1, 2, 5, 5), w (3, 2, 3, 3), padding 1. */
static ck_status fault_conv(ckt_run *run, ck_context *ctx, int *untouched, int *right) {
    const int64_t x_dims[4] = {1, 2, 5, 5}, w_dims[4] = {3, 2, 3, 3}, y_dims[4] = {1, 3, 5, 5};
    ckt_tensor *x = ckt_new(run, ctx, CK_F32, 4, x_dims), *w = ckt_new(run, ctx, CK_F32, 4, w_dims);
    ckt_tensor *y = ckt_new(run, ctx, CK_F32, 4, y_dims), *xr = NULL, *wr = NULL;
    ckt_tensor *yr = ckt_new(run, run->ref, CK_F32, 4, y_dims);
    ck_conv2d_params params = ck_conv2d_params_default();
    params.pad_top = params.pad_bottom = params.pad_left = params.pad_right = 1;
    ck_status status = CK_ERR_INTERNAL;
    if (x && w && y && yr) {
        double before[75];
        ckt_fill_uniform(x, 13, -1.0, 1.0);
        ckt_fill_uniform(w, 14, -1.0, 1.0);
        ckt_fill_uniform(y, 15, -1.0, 1.0);
        ckt_read(y, before);
        xr = ckt_clone_to(run, x, run->ref, CK_F32);
        wr = ckt_clone_to(run, w, run->ref, CK_F32);
        status = ck_conv2d_forward(ctx, &params, &x->t, &w->t, NULL, &y->t);
        if (xr && wr) ck_conv2d_forward(run->ref, &params, &xr->t, &wr->t, NULL, &yr->t);
        OUTPUT_CHECK(y, yr, 75);
    }
    ckt_free(x), ckt_free(w), ckt_free(y), ckt_free(xr), ckt_free(wr), ckt_free(yr);
    return status;
}

/**
 * On a context made with CONVKIT_FAULT=spec: `op` fails with `expected`, its
 * outputs untouched, the message naming the op, the device, `code` and the
 * injection; then it runs right, twice (the context stays usable).
 */
static void fault_case(ckt_run *run, const char *spec, const char *op_name, fault_op op, ck_status expected,
                       const char *code) {
    ckt_case(run, "CONVKIT_FAULT=%s: %s fails cleanly, then works", spec, op_name);
    const ckt_env env[] = {{"CONVKIT_FAULT", spec}};
    ck_context *ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, env, 1);
    if (!ctx) return;
    char device[160];
    ckt_context_device_name(ctx, device, sizeof device);
    int untouched = 0, right = 0;
    ck_status status = op(run, ctx, &untouched, &right);
    if (ckt_expect_status(run, status, expected, ctx, op_name)) {
        const char *const texts[] = {op_name, device, code, "CONVKIT_FAULT"};
        ckt_expect_message(run, ctx, texts, 4);
        ckt_expect(run, untouched, "%s: the failed call changed its outputs", op_name);
    }
    for (int again = 0; again < 2; again++) {
        status = op(run, ctx, &untouched, &right);
        if (ckt_expect_ok(run, status, ctx, op_name)) ckt_expect(run, right, "%s after the fault: wrong values", op_name);
    }
    ck_context_destroy(ctx);
}

/** CONVKIT_FAULT=alloc with no op: the next ck_buffer_create fails, then buffers are made again. */
static void fault_buffer(ckt_run *run) {
    ckt_case(run, "CONVKIT_FAULT=alloc: ck_buffer_create fails cleanly, then works");
    const ckt_env env[] = {{"CONVKIT_FAULT", "alloc"}};
    ck_context *ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, env, 1);
    if (!ctx) return;
    char device[160];
    ckt_context_device_name(ctx, device, sizeof device);
    ck_buffer *buffer = NULL;
    if (ckt_expect_status(run, ck_buffer_create(ctx, 4096, &buffer), CK_ERR_OUT_OF_MEMORY, ctx, "ck_buffer_create")) {
        const char *const texts[] = {"ck_buffer_create", device, "CL_MEM_OBJECT_ALLOCATION_FAILURE", "CONVKIT_FAULT"};
        ckt_expect_message(run, ctx, texts, 4);
        ckt_expect(run, buffer == NULL, "a failed ck_buffer_create handed out a buffer");
    }
    if (ckt_expect_ok(run, ck_buffer_create(ctx, 4096, &buffer), ctx, "ck_buffer_create after the fault"))
        ck_buffer_destroy(buffer);
    ck_context_destroy(ctx);
}

void ckt_suite_device_faults(ckt_run *run) {
    fault_case(run, "build:fill", "fill", fault_fill, CK_ERR_DEVICE, "build log");
    fault_case(run, "build", "conv2d_forward", fault_conv, CK_ERR_DEVICE, "Kernels/conv2d");
    fault_buffer(run);
    fault_case(run, "alloc:softmax_cross_entropy_forward", "softmax_cross_entropy_forward", fault_softmax,
               CK_ERR_OUT_OF_MEMORY, "CL_MEM_OBJECT_ALLOCATION_FAILURE");
    fault_case(run, "alloc:activation_forward", "activation_forward", fault_relu, CK_ERR_OUT_OF_MEMORY,
               "CL_MEM_OBJECT_ALLOCATION_FAILURE");
    fault_case(run, "enqueue:conv2d_forward", "conv2d_forward", fault_conv, CK_ERR_DEVICE, "CL_OUT_OF_RESOURCES");
    fault_case(run, "enqueue:copy", "copy", fault_copy, CK_ERR_DEVICE, "CL_OUT_OF_RESOURCES");
    fault_case(run, "enqueue", "softmax_cross_entropy_forward", fault_softmax, CK_ERR_DEVICE, "CL_OUT_OF_RESOURCES");
}

