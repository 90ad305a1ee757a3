/*
 * epilogue.h — ck-bench --epilogue: a conv forward followed by ReLU as two ops
 * (ck_conv2d_forward, then ck_activation_forward in place) against the same
 * in one (ck_conv2d_forward_fused), on the conv shapes of the selected set.
 */
#ifndef CK_BENCH_EPILOGUE_H
#define CK_BENCH_EPILOGUE_H

#include "options.h"
#include "shapes.h"

/** Measures both ways on every conv shape --filter keeps; returns the process exit status. */
int bench_epilogue(const bench_options *options, const bench_shape_list *shapes);

#endif
