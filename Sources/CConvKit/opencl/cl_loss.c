/*
 * cl_loss.c — mean softmax cross-entropy with label smoothing, forward and
 * backward, on OpenCL (Kernels/loss.cl). logits, probs, dlogits: (N, K);
 * labels: (N) int32; loss: one element.
 *
 * Labels are checked on the device without a wait (loss.cl's check_labels,
 * in front of the op's kernels, which write nothing after a bad label) into
 * the context's label status; the host reads that status together with the
 * data at its next wait (ck_buffer_read, ck_context_finish) and reports a
 * label outside [0, K) there, with the op, row and label, as
 * CK_ERR_INVALID_ARGUMENT (cl_backend.c calls ck_cl_label_check_*). So a
 * training step never waits for its loss unless the caller reads it. The
 * forward's row losses are pooled scratch.
 */
#include "opencl/cl_ops.h"

#include <stdio.h>

/* The ops that check labels, by the code check_labels records. */
static const char *const label_ops[] = {"softmax_cross_entropy_forward", "softmax_cross_entropy_backward"};

/* The context's label status {row, label, op, classes}, made (row -1) on first use. */
static ck_status label_status(ck_backend *backend, const char *op, cl_mem *out) {
    ck_cl_label_check *check = &ck_cl(backend)->labels;
    if (!check->status) {
        static const cl_int none[4] = {-1, 0, 0, 0};
        cl_int code;
        check->status = clCreateBuffer(ck_cl(backend)->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof none,
                                       (void *)none, &code);
        if (code != CL_SUCCESS) {
            check->status = NULL;
            return ck_cl_report(backend, op, "clCreateBuffer (the label status)", code, CK_CL_ALLOCATING);
        }
    }
    *out = check->status;
    return CK_OK;
}

/* Enqueues check_labels over `labels` (rows, classes) for op `code` (label_ops) into the label status. */
static ck_status check_labels(ck_backend *backend, const char *op, int32_t code, int32_t rows, int32_t classes,
                              ck_cl_view labels, cl_mem *status) {
    ck_status result = label_status(backend, op, status);
    if (result != CK_OK) return result;
    const ck_cl_arg list[] = {CK_CL_ARG(rows),   CK_CL_ARG(classes), CK_CL_ARG(labels.mem), CK_CL_ARG(labels.offset),
                              CK_CL_ARG(*status), CK_CL_ARG(code)};
    const size_t group = CK_CL_DEFAULT_GROUP;
    result = ck_cl_launch(backend, op, CK_CL_PROGRAM_LOSS, "check_labels", 1, &group, &group, list, 6);
    if (result == CK_OK) ck_cl(backend)->labels.pending = 1;
    return result;
}

void ck_cl_label_check_enqueue(ck_backend *backend) {
    ck_cl_label_check *check = &ck_cl(backend)->labels;
    check->reading = check->pending && clEnqueueReadBuffer(ck_cl(backend)->queue, check->status, CL_FALSE, 0,
                                                           sizeof check->host, check->host, 0, NULL,
                                                           NULL) == CL_SUCCESS;
}

ck_status ck_cl_label_check_result(ck_backend *backend, const char *what) {
    ck_cl_label_check *check = &ck_cl(backend)->labels;
    if (!check->reading) return CK_OK;
    check->reading = check->pending = 0;
    if (check->host[0] < 0) return CK_OK;
    static const cl_int none[4] = {-1, 0, 0, 0};
    clEnqueueWriteBuffer(ck_cl(backend)->queue, check->status, CL_TRUE, 0, sizeof none, none, 0, NULL, NULL);
    const cl_int *h = check->host;
    return ck_set_error(backend->ctx, CK_ERR_INVALID_ARGUMENT,
                        "%s: labels[%d] is %d; a label must be a class index in [0, %d) (found on the device, "
                        "reported at the next wait: %s; the op wrote nothing)",
                        label_ops[h[2] == 1], (int)h[0], (int)h[1], (int)h[3], what);
}

void ck_cl_label_check_release(ck_backend *backend) {
    ck_cl_label_check *check = &ck_cl(backend)->labels;
    if (check->status) clReleaseMemObject(check->status);
    check->status = NULL;
}

ck_status ck_cl_softmax_cross_entropy_forward(ck_backend *backend, const ck_softmax_cross_entropy_forward_args *args) {
    const char *op = "softmax_cross_entropy_forward";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->logits, args->labels, args->probs, args->loss);
    int32_t rows = ck_cl_int(args->logits->dims[0]), classes = ck_cl_int(args->logits->dims[1]);
    float smoothing = args->label_smoothing;
    ck_cl_view logits = ck_cl_view_of(args->logits), labels = ck_cl_view_of(args->labels);
    ck_cl_view probs = ck_cl_view_of(args->probs), loss = ck_cl_view_of(args->loss);
    cl_mem status = NULL, row_loss = NULL;
    ck_status result = ck_cl_alloc(backend, op, (size_t)rows * sizeof(float), &row_loss);
    if (result == CK_OK) result = check_labels(backend, op, 0, rows, classes, labels, &status);
    if (result == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(classes),      CK_CL_ARG(smoothing),      CK_CL_ARG(logits.mem),
                                  CK_CL_ARG(logits.offset), CK_CL_ARG(labels.mem),    CK_CL_ARG(labels.offset),
                                  CK_CL_ARG(probs.mem),    CK_CL_ARG(probs.offset),   CK_CL_ARG(row_loss),
                                  CK_CL_ARG(status)};
        const size_t local = CK_CL_DEFAULT_GROUP, global = (size_t)rows * CK_CL_DEFAULT_GROUP;
        result = ck_cl_launch(backend, op, CK_CL_PROGRAM_LOSS, "softmax_xent_rows", 1, &global, &local, list, 10);
    }
    if (result == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(rows), CK_CL_ARG(row_loss), CK_CL_ARG(status), CK_CL_ARG(loss.mem),
                                  CK_CL_ARG(loss.offset)};
        const size_t group = CK_CL_DEFAULT_GROUP;
        result = ck_cl_launch(backend, op, CK_CL_PROGRAM_LOSS, "softmax_xent_mean", 1, &group, &group, list, 5);
    }
    if (row_loss) ck_cl_free(backend, row_loss, (size_t)rows * sizeof(float));
    return result;
}

ck_status ck_cl_softmax_cross_entropy_backward(ck_backend *backend,
                                               const ck_softmax_cross_entropy_backward_args *args) {
    const char *op = "softmax_cross_entropy_backward";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->probs, args->labels, args->dlogits, args->dloss);
    int32_t rows = ck_cl_int(args->probs->dims[0]), classes = ck_cl_int(args->probs->dims[1]);
    /* As the CPU backend: the scale in double, the targets in float32. */
    float scale = (float)((double)args->loss_grad / (double)rows), off = args->label_smoothing / (float)classes;
    float on = (1.0f - args->label_smoothing) + off, beta = args->beta;
    ck_cl_view probs = ck_cl_view_of(args->probs), labels = ck_cl_view_of(args->labels);
    ck_cl_view dlogits = ck_cl_view_of(args->dlogits);
    const int32_t has_dloss = args->dloss != NULL;
    const ck_cl_view dloss = has_dloss ? ck_cl_view_of(args->dloss) : probs; /* probs: a buffer the kernel does not read */
    cl_mem status = NULL;
    ck_status result = check_labels(backend, op, 1, rows, classes, labels, &status);
    if (result == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(rows),          CK_CL_ARG(classes),        CK_CL_ARG(scale),
                                  CK_CL_ARG(on),            CK_CL_ARG(off),            CK_CL_ARG(probs.mem),
                                  CK_CL_ARG(probs.offset),  CK_CL_ARG(labels.mem),     CK_CL_ARG(labels.offset),
                                  CK_CL_ARG(beta),          CK_CL_ARG(dlogits.mem),    CK_CL_ARG(dlogits.offset),
                                  CK_CL_ARG(status),        CK_CL_ARG(has_dloss),      CK_CL_ARG(dloss.mem),
                                  CK_CL_ARG(dloss.offset)};
        const size_t items = (size_t)rows * (size_t)classes;
        result = ck_cl_launch(backend, op, CK_CL_PROGRAM_LOSS, "softmax_xent_backward", 1, &items, NULL, list, 16);
    }
    return result;
}
