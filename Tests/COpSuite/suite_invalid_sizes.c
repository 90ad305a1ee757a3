/*
 * suite_invalid_sizes.c — the size helpers and name lookups on bad input.
 *
 * convkit.h: ck_conv_output_size, ck_conv_transpose_output_size and
 * ck_pool_output_size return 0 when the size would be < 1 or a parameter is
 * invalid. A true size beyond int64 counts as invalid: 0 is their only error
 * value, and a wrapped-around result would be a silent wrong size. A few valid calls sit
 * beside the bad ones so that a helper returning 0 for everything fails.
 */
#include "suite_invalid.h"

#include <stdint.h>
#include <string.h>

typedef struct size_case {
    const char *name;
    int64_t got, want;
} size_case;

static void check_sizes(ckt_run *run, const size_case *cases, size_t count) {
    for (size_t i = 0; i < count; i++)
        ckt_expect(run, cases[i].got == cases[i].want, "%s: got %lld, want %lld", cases[i].name,
                   (long long)cases[i].got, (long long)cases[i].want);
}

#define I64MAX INT64_MAX

static void conv_sizes(ckt_run *run) {
    const size_case cases[] = {
        {"conv(5, k3, s1, p1+1, d1)", ck_conv_output_size(5, 3, 1, 1, 1, 1), 5},
        {"conv(7, k3, s2, p0, d1)", ck_conv_output_size(7, 3, 2, 0, 0, 1), 3},
        {"conv(5, k3, s1, p0, d2)", ck_conv_output_size(5, 3, 1, 0, 0, 2), 1},
        {"conv(4, k3, s2, p0+1, d1): asymmetric padding", ck_conv_output_size(4, 3, 2, 0, 1, 1), 2},
        {"conv: in 0", ck_conv_output_size(0, 3, 1, 1, 1, 1), 0},
        {"conv: in -5", ck_conv_output_size(-5, 3, 1, 1, 1, 1), 0},
        {"conv: kernel 0", ck_conv_output_size(5, 0, 1, 0, 0, 1), 0},
        {"conv: stride 0", ck_conv_output_size(5, 3, 0, 1, 1, 1), 0},
        {"conv: stride -1", ck_conv_output_size(5, 3, -1, 1, 1, 1), 0},
        {"conv: dilation 0", ck_conv_output_size(5, 3, 1, 1, 1, 0), 0},
        {"conv: pad_begin -1", ck_conv_output_size(5, 3, 1, -1, 1, 1), 0},
        {"conv: pad_end -1", ck_conv_output_size(5, 3, 1, 1, -1, 1), 0},
        {"conv: kernel 5 on 2 without padding", ck_conv_output_size(2, 5, 1, 0, 0, 1), 0},
        {"conv: in INT64_MAX, kernel 1, pad 1+1: INT64_MAX + 2 rows", ck_conv_output_size(I64MAX, 1, 1, 1, 1, 1), 0},
        {"conv: pad INT64_MAX", ck_conv_output_size(5, 3, 1, I64MAX, I64MAX, 1), 0},
        {"conv: dilation * kernel beyond int64", ck_conv_output_size(5, I64MAX, 1, 0, 0, I64MAX), 0},
    };
    check_sizes(run, cases, sizeof cases / sizeof cases[0]);
}

static void transpose_sizes(ckt_run *run) {
    const size_case cases[] = {
        {"transpose(3, k3, s2, p1+1, d1, op1)", ck_conv_transpose_output_size(3, 3, 2, 1, 1, 1, 1), 6},
        {"transpose(1, k1, s1, p0, d1, op0)", ck_conv_transpose_output_size(1, 1, 1, 0, 0, 1, 0), 1},
        {"transpose: in 0", ck_conv_transpose_output_size(0, 3, 2, 0, 0, 1, 0), 0},
        {"transpose: kernel -1", ck_conv_transpose_output_size(3, -1, 2, 0, 0, 1, 0), 0},
        {"transpose: stride 0", ck_conv_transpose_output_size(3, 3, 0, 0, 0, 1, 0), 0},
        {"transpose: dilation 0", ck_conv_transpose_output_size(3, 3, 2, 0, 0, 0, 0), 0},
        {"transpose: pad -1", ck_conv_transpose_output_size(3, 3, 2, -1, 0, 1, 0), 0},
        {"transpose: output_padding -1", ck_conv_transpose_output_size(3, 3, 2, 0, 0, 1, -1), 0},
        {"transpose: padding 4+4 crops all 7 rows", ck_conv_transpose_output_size(3, 3, 2, 4, 4, 1, 0), 0},
        {"transpose: (in - 1) * stride beyond int64", ck_conv_transpose_output_size(I64MAX, 3, 4, 0, 0, 1, 0), 0},
        {"transpose: dilation * kernel beyond int64", ck_conv_transpose_output_size(3, I64MAX, 1, 0, 0, I64MAX, 0), 0},
    };
    check_sizes(run, cases, sizeof cases / sizeof cases[0]);
}

static void pool_sizes(ckt_run *run) {
    const size_case cases[] = {
        {"pool(6, k3, s2, p1+1, d1, floor)", ck_pool_output_size(6, 3, 2, 1, 1, 1, 0), 3},
        {"pool(6, k3, s2, p1+1, d1, ceil)", ck_pool_output_size(6, 3, 2, 1, 1, 1, 1), 4},
        {"pool(5, k3, s3, p1+1, d1, ceil): last window starts in the padding, dropped",
         ck_pool_output_size(5, 3, 3, 1, 1, 1, 1), 2},
        {"pool(5, k2, s2, p0, d1, ceil): partial last window kept", ck_pool_output_size(5, 2, 2, 0, 0, 1, 1), 3},
        {"pool(9, k3, s2, p1+1, d2, ceil)", ck_pool_output_size(9, 3, 2, 1, 1, 2, 1), 4},
        {"pool: in 0", ck_pool_output_size(0, 3, 2, 1, 1, 1, 0), 0},
        {"pool: kernel 0", ck_pool_output_size(6, 0, 2, 0, 0, 1, 0), 0},
        {"pool: stride 0", ck_pool_output_size(6, 3, 0, 1, 1, 1, 0), 0},
        {"pool: dilation -1", ck_pool_output_size(6, 3, 2, 1, 1, -1, 0), 0},
        {"pool: pad_end -2", ck_pool_output_size(6, 3, 2, 1, -2, 1, 1), 0},
        {"pool: window 9 on 6 without padding, ceil", ck_pool_output_size(6, 9, 1, 0, 0, 1, 1), 0},
        {"pool: in INT64_MAX, window 3, pad 2+2: INT64_MAX + 2 rows", ck_pool_output_size(I64MAX, 3, 1, 2, 2, 1, 0), 0},
    };
    check_sizes(run, cases, sizeof cases / sizeof cases[0]);
}

static void same_padding_values(ckt_run *run) {
    /* in, kernel, stride, dilation, extra_at_begin, begin, end */
    static const int64_t cases[][7] = {
        {7, 4, 2, 1, 0, 1, 2}, {7, 4, 2, 1, 1, 2, 1}, {5, 1, 1, 1, 0, 0, 0},
        {4, 3, 2, 2, 0, 1, 2}, {10, 3, 5, 1, 0, 0, 0}, {5, 3, 1, 3, 1, 3, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int64_t *c = cases[i];
        int32_t begin = -1, end = -1;
        ck_status status = ck_same_padding(run->ctx, c[0], c[1], c[2], c[3], (int32_t)c[4], &begin, &end);
        ckt_expect(run, status == CK_OK && begin == c[5] && end == c[6],
                   "ck_same_padding(in %lld, kernel %lld, stride %lld, dilation %lld, extra_at_begin %lld): "
                   "%s, (%d, %d); want (%lld, %lld)",
                   (long long)c[0], (long long)c[1], (long long)c[2], (long long)c[3], (long long)c[4],
                   ck_status_string(status), begin, end, (long long)c[5], (long long)c[6]);
    }
}

static void name_lookups(ckt_run *run) {
    ckt_expect(run, ck_op_name(CK_OP_COUNT) == NULL, "ck_op_name(CK_OP_COUNT) is not NULL");
    ckt_expect(run, ck_op_name((ck_op)-1) == NULL, "ck_op_name(-1) is not NULL");
    const char *first = ck_op_name((ck_op)0);
    ckt_expect(run, first && strcmp(first, "conv2d_forward") == 0, "ck_op_name(0) is %s", first ? first : "NULL");
    const char *status = ck_status_string((ck_status)99);
    ckt_expect(run, status && status[0], "ck_status_string(99) is empty or NULL");
    const char *backend = ck_backend_name((ck_backend_kind)99);
    ckt_expect(run, backend && backend[0], "ck_backend_name(99) is empty or NULL");
    ckt_expect(run, ck_dtype_size((ck_dtype)9) == 0, "ck_dtype_size(9) is %zu, not 0", ck_dtype_size((ck_dtype)9));
    ckt_expect(run, ck_buffer_size(NULL) == 0, "ck_buffer_size(NULL) is %zu, not 0", ck_buffer_size(NULL));
}

void inv_check_size_helpers(ckt_run *run) {
    ckt_case(run, "size helpers: 0 for invalid input");
    conv_sizes(run);
    transpose_sizes(run);
    pool_sizes(run);
    ckt_case(run, "ck_same_padding values");
    same_padding_values(run);
    ckt_case(run, "name lookups out of range");
    name_lookups(run);
}
