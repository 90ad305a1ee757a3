/*
 * catalog.h — the "catalog" set: every conv layer of ResNet-18, ResNet-50 and
 * MobileNetV2 (torchvision's, 3×224×224 inputs), of LeNet-5 and the
 * Fashion-MNIST CNN (ConvKit's, Sources/ConvKitTrain/Models, 1×28×28) and of
 * a DCGAN generator (transposed convs up to 64×64), at batch 1 and 32, with
 * the pooling, batch norm and dense layers of some of them and square GEMMs.
 *
 * Within one network and batch, layers of identical shape are measured once:
 * the shape takes the first layer's name ("resnet18/layer1.0.conv1/b32"),
 * counts the layers in `occurrences` and lists the others in its description.
 */
#ifndef CK_BENCH_CATALOG_H
#define CK_BENCH_CATALOG_H

#include "shapes.h"

/** Appends the catalog. Returns 0, or -1 when out of memory. */
int bench_add_catalog_shapes(bench_shape_list *list);

#endif
