/*
 * conv_example.c — one 3×3 conv2d forward pass through libconvkit's C ABI,
 * checked against values worked out by hand.
 *
 * Input x: one 4×4 image, one channel, holding 1 ... 16 row by row:
 *
 *      1  2  3  4
 *      5  6  7  8
 *      9 10 11 12
 *     13 14 15 16
 *
 * Weights w: two output channels, 3×3 each (OIHW: 2, 1, 3, 3), no padding,
 * stride 1, so the output y is (1, 2, 2, 2):
 *   channel 0, a box filter (all ones), bias 0: each output is the sum of a
 *     3×3 window.  Top left: 1+2+3 + 5+6+7 + 9+10+11 = 54. One step right
 *     adds 1 to each of the 9 values: 63. One step down adds 4 to each: 90,
 *     and down-right: 99.
 *   channel 1, a Sobel filter for horizontal change, bias 0.5:
 *         -1 0 1
 *         -2 0 2
 *         -1 0 1
 *     Each row of a window gives (right - left) = 2, weighted 1, 2, 1: 8,
 *     plus the bias: 8.5 everywhere. (Deep-learning "convolution" does not
 *     flip the kernel; a flipped one would give -7.5.)
 *
 * Build against an installed libconvkit with examples/c/CMakeLists.txt
 * (find_package(ConvKit)) or examples/c/Makefile (pkg-config). Exit status 0
 * when the output matches, 1 otherwise.
 */
#include <math.h>
#include <stdio.h>

#include <convkit.h>

/* Stops at the first failing call and says why, in the library's words. */
#define CHECK(call)                                                                                  \
    do {                                                                                             \
        ck_status check_status = (call);                                                             \
        if (check_status != CK_OK) {                                                                 \
            fprintf(stderr, "%s failed: %s: %s\n", #call, ck_status_string(check_status),              \
                    ck_last_error(ctx));                                                             \
            goto done;                                                                               \
        }                                                                                            \
    } while (0)

int main(void) {
    const float x_values[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const float w_values[18] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1,   /* channel 0: box filter */
        -1, 0, 1, -2, 0, 2, -1, 0, 1 /* channel 1: Sobel, horizontal change */
    };
    const float bias_values[2] = {0.0f, 0.5f};
    const float expected[8] = {54, 63, 90, 99, 8.5f, 8.5f, 8.5f, 8.5f};
    float y_values[8];

    int exit_code = 1;
    ck_context *ctx = NULL;
    ck_buffer *x_buffer = NULL, *w_buffer = NULL, *bias_buffer = NULL, *y_buffer = NULL;

    /* NULL options: the best backend available, all cores. */
    if (ck_context_create(NULL, &ctx) != CK_OK) {
        fprintf(stderr, "cannot create a context: %s\n", ck_last_error(NULL));
        return 1;
    }
    printf("libconvkit %s on the %s backend\n", ck_version(), ck_backend_name(ck_context_backend(ctx)));

    CHECK(ck_buffer_create(ctx, sizeof x_values, &x_buffer));
    CHECK(ck_buffer_create(ctx, sizeof w_values, &w_buffer));
    CHECK(ck_buffer_create(ctx, sizeof bias_values, &bias_buffer));
    CHECK(ck_buffer_create(ctx, sizeof y_values, &y_buffer));
    CHECK(ck_buffer_write(ctx, x_buffer, 0, x_values, sizeof x_values));
    CHECK(ck_buffer_write(ctx, w_buffer, 0, w_values, sizeof w_values));
    CHECK(ck_buffer_write(ctx, bias_buffer, 0, bias_values, sizeof bias_values));

    ck_tensor x = ck_tensor_4d(x_buffer, 1, 1, 4, 4);  /* (N, C, H, W) */
    ck_tensor w = ck_tensor_4d(w_buffer, 2, 1, 3, 3);  /* (O, C, KH, KW) */
    ck_tensor y = ck_tensor_4d(y_buffer, 1, 2, 2, 2);  /* (N, O, OH, OW) */
    const int64_t bias_dims[1] = {2};
    ck_tensor bias = ck_tensor_nd(bias_buffer, CK_F32, 1, bias_dims);

    ck_conv2d_params params = ck_conv2d_params_default(); /* stride 1, no padding */
    CHECK(ck_conv2d_forward(ctx, &params, &x, &w, &bias, &y));
    CHECK(ck_buffer_read(ctx, y_buffer, 0, y_values, sizeof y_values));

    int mismatches = 0;
    for (int channel = 0; channel < 2; channel++) {
        printf("channel %d:", channel);
        for (int i = 0; i < 4; i++) {
            float got = y_values[channel * 4 + i], want = expected[channel * 4 + i];
            printf(" %6.2f", got);
            if (!(fabsf(got - want) <= 1e-4f * fabsf(want))) mismatches++;
        }
        printf("\n");
    }
    if (mismatches) {
        fprintf(stderr, "%d outputs differ from the values worked out by hand\n", mismatches);
    } else {
        printf("output matches the values worked out by hand\n");
        exit_code = 0;
    }

done:
    ck_buffer_destroy(y_buffer);
    ck_buffer_destroy(bias_buffer);
    ck_buffer_destroy(w_buffer);
    ck_buffer_destroy(x_buffer);
    ck_context_destroy(ctx);
    return exit_code;
}
