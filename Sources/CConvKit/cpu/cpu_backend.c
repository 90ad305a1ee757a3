/* cpu_backend.c — the CPU backend's op table, state and lifetime. */
#include "cpu/cpu_ops.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const ck_backend_ops cpu_ops = {
#define CK_CPU_OP_ENTRY(ID, name) .name = ck_cpu_##name,
    CK_OP_LIST(CK_CPU_OP_ENTRY)
#undef CK_CPU_OP_ENTRY
};

static void cpu_destroy(ck_backend *backend) {
    ck_cpu_state *state = ck_cpu(backend);
    if (!state) return;
    ck_thread_pool_destroy(state->pool);
    free(state);
    backend->state = NULL;
}

static int detect_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/*
 * Whether the AVX2/FMA kernels run: when the processor has them, unless
 * CONVKIT_CPU_SIMD=portable asks for the portable kernels (how the tests
 * exercise them on AVX2 machines). Any other value than auto/portable is an error.
 */
static ck_status choose_simd(ck_context *ctx, int *use_avx2_fma) {
    const char *choice = getenv("CONVKIT_CPU_SIMD");
    if (!choice || choice[0] == '\0' || strcmp(choice, "auto") == 0) {
        *use_avx2_fma = detect_avx2_fma();
        return CK_OK;
    }
    if (strcmp(choice, "portable") == 0) {
        *use_avx2_fma = 0;
        return CK_OK;
    }
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "cpu backend: CONVKIT_CPU_SIMD is '%s'; use auto or portable",
                        choice);
}

/*
 * The conv algorithm CONVKIT_CPU_CONV asks for: auto (unset or empty: the
 * first that fits), gemm, direct or depthwise (benchmarks compare them; with
 * direct or depthwise a conv they do not take is CK_ERR_UNSUPPORTED).
 */
static ck_status choose_conv(ck_context *ctx, ck_cpu_conv_choice *choice) {
    static const char *const names[] = {"auto", "gemm", "direct", "depthwise"};
    const char *value = getenv("CONVKIT_CPU_CONV");
    *choice = CK_CPU_CONV_AUTO;
    if (!value || value[0] == '\0') return CK_OK;
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        if (strcmp(value, names[i]) == 0) {
            *choice = (ck_cpu_conv_choice)i;
            return CK_OK;
        }
    }
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                        "cpu backend: CONVKIT_CPU_CONV is '%s'; use auto, gemm, direct or depthwise", value);
}

ck_status ck_cpu_backend_create(ck_context *ctx, int32_t num_threads, ck_backend *backend) {
    int use_avx2_fma = 0;
    ck_cpu_conv_choice conv_choice = CK_CPU_CONV_AUTO;
    ck_status status = choose_simd(ctx, &use_avx2_fma);
    if (status == CK_OK) status = choose_conv(ctx, &conv_choice);
    if (status != CK_OK) return status;
    if (num_threads <= 0) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        num_threads = online > 0 ? (int32_t)online : 1;
    }
    ck_cpu_state *state = calloc(1, sizeof *state);
    if (!state) return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "cpu backend: cannot allocate its state");
    state->pool = ck_thread_pool_create(num_threads);
    if (!state->pool) {
        free(state);
        return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "cpu backend: cannot start %d worker threads", (int)num_threads);
    }
    state->has_avx2_fma = use_avx2_fma;
    state->conv_choice = conv_choice;
    /* The pool owns the cores; each sgemm call runs single-threaded on a worker. */
    openblas_set_num_threads(1);
    backend->kind = CK_BACKEND_CPU;
    backend->ops = &cpu_ops;
    backend->ctx = ctx;
    backend->state = state;
    backend->destroy = cpu_destroy;
    backend->num_threads = num_threads;
    static const char *const forced[] = {"", ", convs: gemm", ", convs: direct", ", convs: depthwise"};
    snprintf(backend->description, sizeof backend->description, "cpu: %d threads%s%s", (int)num_threads,
             state->has_avx2_fma ? ", AVX2/FMA" : "", forced[conv_choice]);
    return CK_OK;
}
