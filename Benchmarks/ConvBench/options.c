/* options.c — parsing ck-bench's command line. */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shapes.h"

void bench_print_usage(FILE *out) {
    fprintf(out,
            "usage: ck-bench [--backend cpu|reference|opencl|auto] [--device SPEC] [--threads T] [--repeats R]\n"
            "                [--pass-budget S] [--set core|catalog|all] [--algorithms chosen|all] [--no-probes]\n"
            "                [--quick] [--filter SUBSTR] [--json FILE] [--list]\n"
            "       ck-bench --backend opencl --tune [--save] [--set ...] [--quick] [--filter SUBSTR] [--repeats R] [--json FILE]\n"
            "       ck-bench --epilogue [--backend B] [--set ...] [--quick] [--filter SUBSTR] [--repeats R] [--json FILE]\n"
            "  --backend      backend to measure (default cpu)\n"
            "  --device       OpenCL device: N, or text in its name (default: the first)\n"
            "  --threads      worker threads, 0 = one per core (default 0)\n"
            "  --repeats      timed runs per pass after one warm-up (default 5)\n"
            "  --pass-budget  fewer runs (never under 3) when R runs of a pass would take longer than S\n"
            "                 seconds, judged from the warm-up (default 2; 0 = always R)\n"
            "  --set          core: 11 shapes covering every op (default); catalog: every conv layer of\n"
            "                 ResNet-18/50, MobileNetV2, LeNet-5, the Fashion-MNIST CNN and a DCGAN generator\n"
            "                 at batch 1 and 32, with pooling, batch norm and GEMM; all: both\n"
            "  --algorithms   all: also every other conv algorithm that runs a pass (default);\n"
            "                 chosen: only the one the backend picks\n"
            "  --no-probes    skip the peak probes (FMA, sgemm 2048^3, bandwidth) and the %%-of-peak column\n"
            "  --quick        batches divided by 8, for a fast smoke run\n"
            "  --filter       only passes whose \"<shape>/<pass>\" contains SUBSTR\n"
            "  --json         also write the results and machine details to FILE\n"
            "  --list         print the shapes and passes, run nothing (with --json: write them to FILE,\n"
            "                 the shape list the peer scripts in Benchmarks/ read)\n"
            "  --tune         time candidate OpenCL kernel parameters on the conv shapes (--filter: shape\n"
            "                 names) and print the row of the tuning table for this device\n"
            "  --save         with --tune: also save the result for this machine (ck_opencl_save_tuning);\n"
            "                 new contexts on the device then use it\n"
            "  --epilogue     time conv forward + ReLU as two ops against the fused epilogue\n"
            "                 (ck_conv2d_forward_fused) on the conv shapes, back to back\n");
}

static int parse_int(const char *text, int min, int max, int *out) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) return 0;
    *out = (int)value;
    return 1;
}

static int parse_backend(const char *name, ck_backend_kind *out) {
    /* CK_BACKEND_OPENCL is the last kind in convkit.h. */
    for (int kind = CK_BACKEND_AUTO; kind <= CK_BACKEND_OPENCL; kind++) {
        if (strcmp(name, ck_backend_name((ck_backend_kind)kind)) == 0) {
            *out = (ck_backend_kind)kind;
            return 1;
        }
    }
    return 0;
}

static int parse_set(const char *name, bench_options *options) {
    static const struct { const char *name; int sets; } sets[] = {
        {"core", BENCH_SET_CORE}, {"catalog", BENCH_SET_CATALOG}, {"all", BENCH_SET_CORE | BENCH_SET_CATALOG}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        if (strcmp(name, sets[i].name) == 0) {
            options->sets = sets[i].sets, options->set_name = sets[i].name;
            return 1;
        }
    }
    return 0;
}

/* Applies an option that takes `value`; returns 0 after printing what is wrong. */
static int apply_value(bench_options *options, const char *arg, const char *value) {
    if (strcmp(arg, "--backend") == 0) {
        if (parse_backend(value, &options->backend)) return 1;
        fprintf(stderr, "ck-bench: unknown backend '%s'\n", value);
    } else if (strcmp(arg, "--device") == 0) {
        options->device = value;
        return 1;
    } else if (strcmp(arg, "--threads") == 0) {
        if (parse_int(value, 0, 1024, &options->threads)) return 1;
        fprintf(stderr, "ck-bench: --threads wants 0...1024, not '%s'\n", value);
    } else if (strcmp(arg, "--repeats") == 0) {
        if (parse_int(value, 1, 100000, &options->repeats)) return 1;
        fprintf(stderr, "ck-bench: --repeats wants a count >= 1, not '%s'\n", value);
    } else if (strcmp(arg, "--pass-budget") == 0) {
        char *end;
        double seconds = strtod(value, &end);
        if (end != value && !*end && seconds >= 0 && seconds <= 1e6) {
            options->pass_budget_s = seconds;
            return 1;
        }
        fprintf(stderr, "ck-bench: --pass-budget wants seconds >= 0, not '%s'\n", value);
    } else if (strcmp(arg, "--set") == 0) {
        if (parse_set(value, options)) return 1;
        fprintf(stderr, "ck-bench: --set wants core, catalog or all, not '%s'\n", value);
    } else if (strcmp(arg, "--algorithms") == 0) {
        if (strcmp(value, "all") == 0 || strcmp(value, "chosen") == 0) {
            options->all_algorithms = strcmp(value, "all") == 0;
            return 1;
        }
        fprintf(stderr, "ck-bench: --algorithms wants chosen or all, not '%s'\n", value);
    } else if (strcmp(arg, "--filter") == 0) {
        options->filter = value;
        return 1;
    } else if (strcmp(arg, "--json") == 0) {
        options->json_path = value;
        return 1;
    } else {
        fprintf(stderr, "ck-bench: unknown option %s\n", arg);
    }
    return 0;
}

int bench_parse_options(int argc, char **argv, bench_options *options) {
    *options = (bench_options){.backend = CK_BACKEND_CPU, .repeats = 5, .pass_budget_s = 2.0,
                               .sets = BENCH_SET_CORE, .set_name = "core", .all_algorithms = 1, .probes = 1};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--quick") == 0) {
            options->quick = 1;
        } else if (strcmp(arg, "--list") == 0) {
            options->list_only = 1;
        } else if (strcmp(arg, "--tune") == 0) {
            options->tune = 1;
        } else if (strcmp(arg, "--save") == 0) {
            options->save_tuning = 1;
        } else if (strcmp(arg, "--epilogue") == 0) {
            options->epilogue = 1;
        } else if (strcmp(arg, "--no-probes") == 0) {
            options->probes = 0;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            bench_print_usage(stdout);
            exit(0);
        } else if (i + 1 >= argc) {
            fprintf(stderr, "ck-bench: unknown option or missing value: %s\n", arg);
            return 0;
        } else if (!apply_value(options, arg, argv[++i])) {
            return 0;
        }
    }
    return 1;
}
