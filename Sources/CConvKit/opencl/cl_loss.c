/*
 * cl_loss.c — mean softmax cross-entropy with label smoothing, forward and
 * backward, on OpenCL (Kernels/loss.cl). logits, probs, dlogits: (N, K);
 * labels: (N) int32; loss: one element.
 *
 * Labels are checked on the device (loss.cl's check_labels, in front of the
 * op's kernels, which write nothing after a bad label); the host then reads
 * the two-int status, its one wait per call, and reports a label outside
 * [0, K) as the CPU backend does (CK_ERR_INVALID_ARGUMENT naming the row and
 * the label). The status and the forward's row losses are pooled scratch.
 */
#include "opencl/cl_ops.h"

#include <stdio.h>

/* Enqueues check_labels over `labels` (rows, classes) into status (two ints). */
static ck_status check_labels(ck_backend *backend, const char *op, int32_t rows, int32_t classes, ck_cl_view labels,
                              cl_mem status) {
    const ck_cl_arg list[] = {CK_CL_ARG(rows), CK_CL_ARG(classes), CK_CL_ARG(labels.mem), CK_CL_ARG(labels.offset),
                              CK_CL_ARG(status)};
    const size_t group = CK_CL_DEFAULT_GROUP;
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_LOSS, "check_labels", 1, &group, &group, list, 5);
}

/* Waits for the status of the call's label check; an error naming the first bad row when there is one. */
static ck_status read_status(ck_backend *backend, const char *op, int32_t classes, cl_mem status_mem) {
    cl_int status[2];
    cl_int code = clEnqueueReadBuffer(ck_cl(backend)->queue, status_mem, CL_TRUE, 0, sizeof status, status, 0, NULL, NULL);
    if (code != CL_SUCCESS) return ck_cl_fail(backend, op, "clEnqueueReadBuffer (the label check)", code);
    if (status[0] < 0) return CK_OK;
    return ck_set_error(backend->ctx, CK_ERR_INVALID_ARGUMENT,
                        "%s: labels[%d] is %d; a label must be a class index in [0, %d)", op, (int)status[0],
                        (int)status[1], (int)classes);
}

ck_status ck_cl_softmax_cross_entropy_forward(ck_backend *backend, const ck_softmax_cross_entropy_forward_args *args) {
    const char *op = "softmax_cross_entropy_forward";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->logits, args->labels, args->probs, args->loss);
    int32_t rows = ck_cl_int(args->logits->dims[0]), classes = ck_cl_int(args->logits->dims[1]);
    float smoothing = args->label_smoothing;
    ck_cl_view logits = ck_cl_view_of(args->logits), labels = ck_cl_view_of(args->labels);
    ck_cl_view probs = ck_cl_view_of(args->probs), loss = ck_cl_view_of(args->loss);
    cl_mem status = NULL, row_loss = NULL;
    ck_status result = ck_cl_alloc(backend, op, 2 * sizeof(cl_int), &status);
    if (result == CK_OK) result = ck_cl_alloc(backend, op, (size_t)rows * sizeof(float), &row_loss);
    if (result == CK_OK) result = check_labels(backend, op, rows, classes, labels, status);
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
    if (result == CK_OK) result = read_status(backend, op, classes, status);
    if (row_loss) ck_cl_free(backend, row_loss, (size_t)rows * sizeof(float));
    if (status) ck_cl_free(backend, status, 2 * sizeof(cl_int));
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
    ck_status result = ck_cl_alloc(backend, op, 2 * sizeof(cl_int), &status);
    if (result == CK_OK) result = check_labels(backend, op, rows, classes, labels, status);
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
    if (result == CK_OK) result = read_status(backend, op, classes, status);
    if (status) ck_cl_free(backend, status, 2 * sizeof(cl_int));
    return result;
}
