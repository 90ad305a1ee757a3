#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/nn/*.json: PyTorch golden values for ConvKitNN's tests.

Run with a Python that has torch (PyTorch 1.13 made the committed files):
    cd Tests/Fixtures/scripts && python3 make_nn_fixtures.py
Layers and blocks get seeded PyTorch weights (the state dict is stored, so ConvKit loads the
same values), a forward pass and a backward pass from a random upstream gradient dy, step by
step (batch norm: several training steps, then evaluation). Losses store values and
gradients; nn_train_cases.py adds optimizer runs and learning-rate schedules. Everything runs
in float32 on the CPU with one thread from torch.manual_seed(SEED).
"""

import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from nn_fixture_common import (BasicBlock, Lambda, Separable, grads, randomize_batchnorm, state, tensor,
                               int_tensor, write_cases)
from nn_train_cases import optimizer_cases, schedule_cases

SEED = 20240612
OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn"))
GENERATOR = "Tests/Fixtures/scripts/make_nn_fixtures.py (seed %d); do not edit by hand" % SEED


def layer_case(name, kind, config, module, inputs, modes=None):
    """Runs `module` on each input (training flag from `modes`, default training), recording the
    output, dx and parameter gradients for a random dy, and the buffers after each step."""
    modes = modes or [True] * len(inputs)
    case = {"name": name, "kind": kind, "config": config, "state": state(module), "steps": []}
    for x, training in zip(inputs, modes):
        module.train(training)
        module.zero_grad(set_to_none=True)
        x = x.clone().requires_grad_(True)
        y = module(x)
        dy = torch.randn_like(y)
        y.backward(dy)
        case["steps"].append({"training": training, "x": tensor(x), "dy": tensor(dy), "y": tensor(y),
                              "dx": tensor(x.grad), "grads": grads(module),
                              "buffers": {k: v for k, v in state(module).items()
                                          if k not in dict(module.named_parameters())}})
    return case


def conv_config(cin, cout, kernel, stride=(1, 1), pad=(0, 0, 0, 0), dilation=(1, 1), groups=1, bias=True, **extra):
    config = {"in": cin, "out": cout, "kernel": list(kernel), "stride": list(stride), "pad": list(pad),
              "dilation": list(dilation), "groups": groups, "bias": bias}
    config.update(extra)
    return config


def layer_cases():
    r = torch.randn
    cases = []
    conv = nn.Conv2d(4, 6, (3, 2), (2, 1), (1, 0), (2, 1), groups=2)
    cases.append(layer_case("conv2d_stride_pad_dilation_groups", "Conv2D",
                            conv_config(4, 6, (3, 2), (2, 1), (1, 1, 0, 0), (2, 1), 2), conv, [r(2, 4, 7, 6)]))
    same = nn.Conv2d(3, 4, 3, 2, bias=False)  # SAME: output 3 of 6 → one padding row/column at the end
    cases.append(layer_case("conv2d_same_nobias", "Conv2D", conv_config(3, 4, (3, 3), (2, 2), groups=1, bias=False,
                                                                       same=True),
                            nn.Sequential(Lambda(lambda x: F.pad(x, (0, 1, 0, 1))), same), [r(1, 3, 6, 6)]))
    cases[-1]["state"] = {k[2:]: v for k, v in cases[-1]["state"].items()}
    for step in cases[-1]["steps"]:
        step["grads"] = {k[2:]: v for k, v in step["grads"].items()}
    cases.append(layer_case("depthwise_multiplier2", "DepthwiseConv2D",
                            conv_config(3, 6, (3, 3), pad=(1, 1, 1, 1), groups=3, multiplier=2),
                            nn.Conv2d(3, 6, 3, 1, 1, groups=3), [r(2, 3, 5, 5)]))
    cases.append(layer_case("separable_stride2", "SeparableConv2D",
                            conv_config(3, 5, (3, 3), (2, 2), (1, 1, 1, 1), multiplier=2),
                            Separable(3, 5, 3, 2, 2, 1), [r(2, 3, 6, 6)]))
    cases.append(layer_case("conv_transpose2d_stride_outpad_groups", "ConvTranspose2D",
                            conv_config(4, 6, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 2, output_padding=[1, 1]),
                            nn.ConvTranspose2d(4, 6, 3, 2, 1, output_padding=1, groups=2), [r(1, 4, 3, 3)]))
    cases.append(layer_case("conv_transpose2d_dilation_nobias", "ConvTranspose2D",
                            conv_config(2, 3, (2, 3), (1, 2), (0, 0, 1, 1), (2, 1), 1, bias=False, output_padding=[0, 1]),
                            nn.ConvTranspose2d(2, 3, (2, 3), (1, 2), (0, 1), (0, 1), dilation=(2, 1), bias=False),
                            [r(2, 2, 3, 4)]))
    cases.append(layer_case("maxpool_pad_ceil", "MaxPool2D", {"kernel": [3, 3], "stride": [2, 2], "pad": [1, 1, 1, 1],
                                                              "ceil": True},
                            nn.MaxPool2d(3, 2, 1, ceil_mode=True), [r(2, 3, 6, 6)]))
    cases.append(layer_case("avgpool_exclude_pad_ceil", "AvgPool2D",
                            {"kernel": [3, 2], "stride": [2, 2], "pad": [1, 1, 0, 0], "ceil": True, "include_pad": False},
                            nn.AvgPool2d((3, 2), 2, (1, 0), ceil_mode=True, count_include_pad=False), [r(2, 2, 6, 5)]))
    cases.append(layer_case("global_avgpool", "GlobalAvgPool2D", {}, nn.AdaptiveAvgPool2d(1), [r(2, 3, 4, 3)]))
    bn = nn.BatchNorm2d(3, momentum=0.2)
    randomize_batchnorm(bn)
    cases.append(layer_case("batchnorm_train3_eval1", "BatchNorm2D", {"features": 3, "momentum": 0.2, "eps": 1e-5}, bn,
                            [r(4, 3, 3, 3) * 2 + 1, r(4, 3, 3, 3), r(4, 3, 3, 3) - 0.5, r(2, 3, 3, 3)],
                            [True, True, True, False]))
    cases.append(layer_case("dense", "Dense", {"in": 5, "out": 4, "bias": True}, nn.Linear(5, 4), [r(3, 5)]))
    cases.append(layer_case("dense_nobias", "Dense", {"in": 6, "out": 2, "bias": False}, nn.Linear(6, 2, bias=False),
                            [r(4, 6)]))
    for kind, module in [("ReLU", nn.ReLU()), ("LeakyReLU", nn.LeakyReLU(0.2)), ("Sigmoid", nn.Sigmoid()),
                         ("Tanh", nn.Tanh()), ("Flatten", nn.Flatten())]:
        config = {"slope": 0.2} if kind == "LeakyReLU" else {}
        cases.append(layer_case(kind.lower(), kind, config, module, [r(2, 3, 2, 2) * 2]))
    cases.append(layer_case("softmax", "Softmax", {}, nn.Softmax(dim=1), [r(3, 5) * 3]))
    cases.append(layer_case("zero_padding", "ZeroPadding2D", {"pad": [0, 3, 1, 2]}, nn.ZeroPad2d((1, 2, 0, 3)),
                            [r(2, 2, 3, 4)]))
    cases.append(layer_case("cropping", "Cropping2D", {"crop": [1, 2, 2, 0]},
                            Lambda(lambda x: x[:, :, 1:x.shape[2] - 2, 2:]), [r(2, 2, 6, 5)]))
    cases.append(layer_case("upsample_nearest", "UpSampling2D", {"scale": [2, 3], "mode": "nearest"},
                            nn.Upsample(scale_factor=(2, 3), mode="nearest"), [r(2, 2, 3, 2)]))
    cases.append(layer_case("upsample_bilinear", "UpSampling2D", {"scale": [2, 2], "mode": "bilinear"},
                            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), [r(1, 2, 4, 3)]))
    cases.append(layer_case("upsample_bilinear_align_corners", "UpSampling2D",
                            {"scale": [3, 2], "mode": "bilinear", "align_corners": True},
                            nn.Upsample(scale_factor=(3, 2), mode="bilinear", align_corners=True), [r(2, 1, 3, 4)]))
    block = BasicBlock(3, 5, 2)
    randomize_batchnorm(block)
    cases.append(layer_case("basic_block_projection", "BasicBlock", {"in": 3, "out": 5, "stride": 2}, block,
                            [r(2, 3, 5, 5), r(2, 3, 5, 5), r(2, 3, 5, 5)], [True, True, False]))
    block = BasicBlock(3, 3, 1)
    randomize_batchnorm(block)
    cases.append(layer_case("basic_block_identity", "BasicBlock", {"in": 3, "out": 3, "stride": 1}, block,
                            [r(2, 3, 5, 5), r(2, 3, 5, 5)], [True, False]))
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(36, 5))
    randomize_batchnorm(net)
    cases.append(layer_case("sequential_small_cnn", "Sequential",
                            {"in": 3, "channels": 4, "bias": True, "max_pool": True, "dense_in": 36, "classes": 5}, net, [r(2, 3, 6, 6), r(2, 3, 6, 6)], [True, False]))
    return cases


def loss_case(name, kind, config, loss_fn, inputs, differentiable):
    """Loss value (also in float64, for reference) and the gradients of the differentiable inputs."""
    leaves = [t.clone().requires_grad_(d) for t, d in zip(inputs, differentiable)]
    loss = loss_fn(*leaves)
    loss.backward()
    case = {"name": name, "kind": kind, "config": config, "loss": tensor(loss)}
    case["inputs"] = [tensor(t) if t.dtype == torch.float32 else int_tensor(t) for t in inputs]
    case["grads"] = [tensor(t.grad) if d else None for t, d in zip(leaves, differentiable)]
    return case


def loss_cases():
    r = torch.randn
    labels = torch.tensor([0, 3, 1, 1, 2])
    return [
        loss_case("cross_entropy_smoothing", "softmaxCrossEntropy", {"smoothing": 0.1},
                  lambda x, y: F.cross_entropy(x, y, label_smoothing=0.1), [r(5, 4) * 2, labels], [True, False]),
        loss_case("bce_with_logits_soft_targets", "binaryCrossEntropy", {},
                  F.binary_cross_entropy_with_logits,
                  [torch.tensor([[-30.0, -4.0, -0.5, 0.0], [0.25, 3.0, 30.0, 12.0], [-12.0, 1.5, -2.0, 7.0]]),
                   torch.rand(3, 4)], [True, True]),
        loss_case("bce_with_logits_hard_targets", "binaryCrossEntropy", {},
                  F.binary_cross_entropy_with_logits, [r(2, 3, 2) * 3, (torch.rand(2, 3, 2) > 0.5).float()],
                  [True, False]),
        loss_case("mse", "meanSquaredError", {}, F.mse_loss, [r(2, 3, 2), r(2, 3, 2)], [True, True]),
    ]


def metric_cases():
    logits, labels = torch.randn(12, 6), torch.randint(0, 6, (12,))
    case = {"name": "accuracy_topk", "kind": "metrics", "logits": tensor(logits), "labels": int_tensor(labels)}
    for k in (1, 3):
        hits = (logits.topk(k, dim=1).indices == labels[:, None]).any(dim=1)
        case["top%d_hits" % k] = int(hits.sum().item())
    return [case]


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, cases in [("layers", layer_cases()), ("losses", loss_cases() + metric_cases()),
                        ("optimizers", optimizer_cases()), ("schedules", schedule_cases())]:
        write_cases(os.path.join(OUT_DIR, name + ".json"), GENERATOR, cases)
        print("%s.json: %d cases" % (name, len(cases)))


if __name__ == "__main__":
    main()
