/* catalog.c — the layers of whole networks as benchmark shapes (see catalog.h). */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

/* Adds the layers of one network at one batch, merging layers of identical shape. */
typedef struct net_builder {
    bench_shape_list *list;
    const char *network; /* name prefix: "resnet18" */
    const char *title;   /* for descriptions: "ResNet-18" */
    int64_t batch;
    int first;           /* the list index where this network and batch start */
    int failed;          /* out of memory */
} net_builder;

static net_builder builder(bench_shape_list *list, const char *network, const char *title, int64_t batch) {
    return (net_builder){list, network, title, batch, list->count, 0};
}

static int same_shape(const bench_shape *a, const bench_shape *b) {
    return a->kind == b->kind && a->c == b->c && a->h == b->h && a->w == b->w && a->o == b->o &&
           a->kernel == b->kernel && a->stride == b->stride && a->pad == b->pad && a->groups == b->groups &&
           a->pool_mode == b->pool_mode;
}

/* "64->128 3x3/2 p1 at 56x56", "max 3x3/2 p1, 64 channels at 112x112", ... */
static void describe(const bench_shape *s, char *out, size_t size) {
    switch (s->kind) {
    case BENCH_CONV:
    case BENCH_CONV_TRANSPOSE:
        snprintf(out, size, "%s%lld->%lld %dx%d/%d p%d%s at %lldx%lld",
                 s->kind == BENCH_CONV_TRANSPOSE ? "transposed " : "", (long long)s->c, (long long)s->o, s->kernel,
                 s->kernel, s->stride, s->pad,
                 s->groups > 1 ? (s->groups == s->c ? " depthwise" : " grouped") : "", (long long)s->h,
                 (long long)s->w);
        return;
    case BENCH_POOL:
        snprintf(out, size, "%s pool %dx%d/%d p%d, %lld channels at %lldx%lld",
                 s->pool_mode == CK_POOL_MAX ? "max" : "average", s->kernel, s->kernel, s->stride, s->pad,
                 (long long)s->c, (long long)s->h, (long long)s->w);
        return;
    case BENCH_BATCHNORM:
        snprintf(out, size, "batch norm (training), %lld channels at %lldx%lld", (long long)s->c, (long long)s->h,
                 (long long)s->w);
        return;
    case BENCH_GEMM:
        snprintf(out, size, "dense %lld->%lld", (long long)s->c, (long long)s->o);
        return;
    }
}

/* Appends `layer` to the description's list of further layers, "..." once it is full. */
static void note_repeat(bench_shape *s, const char *layer) {
    size_t used = strlen(s->description), room = sizeof s->description - used;
    if (strstr(s->description, "...")) return;
    const char *separator = s->occurrences == 2 ? "; also " : ", ";
    if (strlen(separator) + strlen(layer) + 4 < room)
        snprintf(s->description + used, room, "%s%s", separator, layer);
    else
        snprintf(s->description + used, room, ", ...");
}

static void add(net_builder *b, const char *layer, bench_kind kind, int64_t c, int64_t hw, int64_t o, int32_t kernel,
                int32_t stride, int32_t pad, int32_t groups, ck_pool_mode mode) {
    if (b->failed) return;
    bench_shape shape = {.kind = kind, .set = BENCH_SET_CATALOG, .occurrences = 1, .n = b->batch, .c = c, .h = hw,
                         .w = hw, .o = o, .kernel = kernel, .stride = stride, .pad = pad, .groups = groups,
                         .pool_mode = mode};
    for (int i = b->first; i < b->list->count; i++) {
        bench_shape *seen = &b->list->items[i];
        if (same_shape(seen, &shape)) {
            seen->occurrences++;
            note_repeat(seen, layer);
            return;
        }
    }
    char what[96];
    describe(&shape, what, sizeof what);
    snprintf(shape.name, sizeof shape.name, "%s/%s/b%lld", b->network, layer, (long long)b->batch);
    snprintf(shape.description, sizeof shape.description, "%s %s: %s", b->title, layer, what);
    snprintf(shape.network, sizeof shape.network, "%s", b->network);
    if (!bench_shape_list_add(b->list, &shape)) b->failed = 1;
}

static void conv(net_builder *b, const char *layer, int64_t c, int64_t hw, int64_t o, int32_t k, int32_t s, int32_t p) {
    add(b, layer, BENCH_CONV, c, hw, o, k, s, p, 1, CK_POOL_MAX);
}

static void depthwise(net_builder *b, const char *layer, int64_t c, int64_t hw, int32_t s) {
    add(b, layer, BENCH_CONV, c, hw, c, 3, s, 1, (int32_t)c, CK_POOL_MAX);
}

static void batchnorm(net_builder *b, const char *layer, int64_t c, int64_t hw) {
    add(b, layer, BENCH_BATCHNORM, c, hw, c, 1, 1, 0, 1, CK_POOL_MAX);
}

static void pool(net_builder *b, const char *layer, ck_pool_mode mode, int64_t c, int64_t hw, int32_t k, int32_t s,
                 int32_t p) {
    add(b, layer, BENCH_POOL, c, hw, c, k, s, p, 1, mode);
}

static void dense(net_builder *b, const char *layer, int64_t in, int64_t out) {
    add(b, layer, BENCH_GEMM, in, 1, out, 1, 1, 0, 1, CK_POOL_MAX);
}

/* "layer2.0.conv1": torchvision's ResNet names (stage counts from 1). */
static const char *resnet_layer(char name[64], int stage, int block, const char *part) {
    snprintf(name, 64, "layer%d.%d.%s", stage + 1, block, part);
    return name;
}

/* "features.3.conv.1.0" (part "conv.1.0"): torchvision's MobileNetV2 names. */
static const char *mobilenet_layer(char name[64], int index, int conv_index, int wrapped) {
    snprintf(name, 64, "features.%d.conv.%d%s", index, conv_index, wrapped ? ".0" : "");
    return name;
}

/* torchvision's resnet18: basic blocks [2, 2, 2, 2], with every batch norm and the stem pool. */
static void resnet18(net_builder *b) {
    char name[64];
    conv(b, "conv1", 3, 224, 64, 7, 2, 3);
    batchnorm(b, "bn1", 64, 112);
    pool(b, "maxpool", CK_POOL_MAX, 64, 112, 3, 2, 1);
    int64_t in = 64, hw = 56;
    for (int stage = 0; stage < 4; stage++) {
        int64_t out = 64 << stage;
        for (int block = 0; block < 2; block++) {
            int32_t stride = stage > 0 && block == 0 ? 2 : 1;
            int64_t out_hw = hw / stride;
            conv(b, resnet_layer(name, stage, block, "conv1"), in, hw, out, 3, stride, 1);
            batchnorm(b, resnet_layer(name, stage, block, "bn1"), out, out_hw);
            conv(b, resnet_layer(name, stage, block, "conv2"), out, out_hw, out, 3, 1, 1);
            batchnorm(b, resnet_layer(name, stage, block, "bn2"), out, out_hw);
            if (stride != 1 || in != out) {
                conv(b, resnet_layer(name, stage, block, "downsample.0"), in, hw, out, 1,
                     stride, 0);
                batchnorm(b, resnet_layer(name, stage, block, "downsample.1"), out,
                          out_hw);
            }
            in = out, hw = out_hw;
        }
    }
    dense(b, "fc", 512, 1000);
}

/* torchvision's resnet50 (v1.5: the stride on the 3x3 conv): bottlenecks [3, 4, 6, 3], convs and fc. */
static void resnet50(net_builder *b) {
    static const int blocks[4] = {3, 4, 6, 3};
    char name[64];
    conv(b, "conv1", 3, 224, 64, 7, 2, 3);
    int64_t in = 64, hw = 56;
    for (int stage = 0; stage < 4; stage++) {
        int64_t width = 64 << stage, out = 4 * width;
        for (int block = 0; block < blocks[stage]; block++) {
            int32_t stride = stage > 0 && block == 0 ? 2 : 1;
            int64_t out_hw = hw / stride;
            conv(b, resnet_layer(name, stage, block, "conv1"), in, hw, width, 1, 1, 0);
            conv(b, resnet_layer(name, stage, block, "conv2"), width, hw, width, 3,
                 stride, 1);
            conv(b, resnet_layer(name, stage, block, "conv3"), width, out_hw, out, 1, 1, 0);
            if (block == 0)
                conv(b, resnet_layer(name, stage, block, "downsample.0"), in, hw, out, 1,
                     stride, 0);
            in = out, hw = out_hw;
        }
    }
    dense(b, "fc", 2048, 1000);
}

/* torchvision's mobilenet_v2: inverted residual blocks (expansion t, channels c, repeats n, first stride s). */
static void mobilenet_v2(net_builder *b) {
    static const int settings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                       {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    char name[64];
    conv(b, "features.0.0", 3, 224, 32, 3, 2, 1);
    int64_t in = 32, hw = 112;
    int index = 1;
    for (int group = 0; group < 7; group++) {
        for (int repeat = 0; repeat < settings[group][2]; repeat++, index++) {
            int64_t hidden = in * settings[group][0], out = settings[group][1];
            int32_t stride = repeat == 0 ? settings[group][3] : 1;
            int next = 0; /* conv.<next> in torchvision's numbering */
            if (settings[group][0] != 1)
                conv(b, mobilenet_layer(name, index, next++, 1), in, hw, hidden, 1, 1, 0);
            depthwise(b, mobilenet_layer(name, index, next++, 1), hidden, hw, stride);
            hw = (hw + 2 - 3) / stride + 1;
            conv(b, mobilenet_layer(name, index, next, 0), hidden, hw, out, 1, 1, 0);
            in = out;
        }
    }
    conv(b, "features.18.0", 320, 7, 1280, 1, 1, 0);
    dense(b, "classifier.1", 1280, 1000);
}

/* ConvKit's lenet5 on 1x28x28 (LeNet5.swift): its pools are unnamed functions, called maxpool1/2 here. */
static void lenet5(net_builder *b) {
    conv(b, "conv1", 1, 28, 6, 5, 1, 2);
    pool(b, "maxpool1", CK_POOL_MAX, 6, 28, 2, 2, 0);
    conv(b, "conv2", 6, 14, 16, 5, 1, 0);
    pool(b, "maxpool2", CK_POOL_MAX, 16, 10, 2, 2, 0);
    dense(b, "fc1", 400, 120);
    dense(b, "fc2", 120, 84);
    dense(b, "fc3", 84, 10);
}

/* ConvKit's fashion-cnn on 1x28x28 (FashionCNN.swift). */
static void fashion_cnn(net_builder *b) {
    conv(b, "features.0", 1, 28, 32, 3, 1, 1);
    batchnorm(b, "features.1", 32, 28);
    conv(b, "features.3", 32, 28, 32, 3, 1, 1);
    batchnorm(b, "features.4", 32, 28);
    pool(b, "features.6", CK_POOL_MAX, 32, 28, 2, 2, 0);
    conv(b, "features.7", 32, 14, 64, 3, 1, 1);
    batchnorm(b, "features.8", 64, 14);
    conv(b, "features.10", 64, 14, 64, 3, 1, 1);
    batchnorm(b, "features.11", 64, 14);
    pool(b, "features.13", CK_POOL_MAX, 64, 14, 2, 2, 0);
    dense(b, "classifier.1", 64 * 7 * 7, 1024);
    dense(b, "classifier.4", 1024, 1024);
    dense(b, "classifier.7", 1024, 10);
}

/* The DCGAN generator of PyTorch's examples (nz 100, ngf 64, 64x64 RGB): its transposed convs. */
static void dcgan_generator(net_builder *b) {
    add(b, "main.0", BENCH_CONV_TRANSPOSE, 100, 1, 512, 4, 1, 0, 1, CK_POOL_MAX);
    add(b, "main.3", BENCH_CONV_TRANSPOSE, 512, 4, 256, 4, 2, 1, 1, CK_POOL_MAX);
    add(b, "main.6", BENCH_CONV_TRANSPOSE, 256, 8, 128, 4, 2, 1, 1, CK_POOL_MAX);
    add(b, "main.9", BENCH_CONV_TRANSPOSE, 128, 16, 64, 4, 2, 1, 1, CK_POOL_MAX);
    add(b, "main.12", BENCH_CONV_TRANSPOSE, 64, 32, 3, 4, 2, 1, 1, CK_POOL_MAX);
}

/* Square GEMMs, named by size alone ("gemm/square2048"): a dense layer of n inputs and outputs at batch n. */
static int square_gemms(bench_shape_list *list) {
    static const int64_t sizes[] = {256, 512, 2048};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int64_t n = sizes[i];
        bench_shape shape = {.kind = BENCH_GEMM, .set = BENCH_SET_CATALOG, .occurrences = 1, .n = n, .c = n, .h = 1,
                             .w = 1, .o = n, .kernel = 1, .stride = 1, .groups = 1, .pool_mode = CK_POOL_MAX};
        snprintf(shape.name, sizeof shape.name, "gemm/square%lld", (long long)n);
        snprintf(shape.description, sizeof shape.description, "square GEMM: x (%lld, %lld) times w (%lld, %lld)^T",
                 (long long)n, (long long)n, (long long)n, (long long)n);
        snprintf(shape.network, sizeof shape.network, "gemm");
        if (!bench_shape_list_add(list, &shape)) return -1;
    }
    return 0;
}

int bench_add_catalog_shapes(bench_shape_list *list) {
    static const struct {
        const char *network, *title;
        void (*layers)(net_builder *);
    } networks[] = {
        {"resnet18", "ResNet-18", resnet18},         {"resnet50", "ResNet-50", resnet50},
        {"mobilenetv2", "MobileNetV2", mobilenet_v2}, {"lenet5", "LeNet-5", lenet5},
        {"fashion-cnn", "Fashion-MNIST CNN", fashion_cnn}, {"dcgan-generator", "DCGAN generator", dcgan_generator},
    };
    static const int64_t batches[] = {1, 32};
    for (size_t i = 0; i < sizeof networks / sizeof networks[0]; i++) {
        for (size_t j = 0; j < sizeof batches / sizeof batches[0]; j++) {
            net_builder b = builder(list, networks[i].network, networks[i].title, batches[j]);
            networks[i].layers(&b);
            if (b.failed) return -1;
        }
    }
    return square_gemms(list);
}
