#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/torch/*.ckf: golden values computed by PyTorch.

Run with a Python that has torch and numpy:  python3 make_torch_fixtures.py
Everything is computed in float32 on the CPU with one thread, the way a user
would, from torch.manual_seed(SEED); the format and the attribute and tensor
conventions are in ../README.md.
"""

import os

import torch

from ckf_format import FixtureFile
from torch_common import randn
from torch_conv_cases import (add_adaptive_avg_pool2d, add_conv2d, add_conv2d_fused, add_conv_transpose2d,
                              add_global_pool2d, add_pool2d)
from torch_train_cases import (add_activation, add_adam, add_batchnorm2d_eval,
                               add_batchnorm2d_train, add_linear, add_rmsprop, add_sgd,
                               add_softmax_cross_entropy)

SEED = 20240611
OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))


def conv2d_cases(ff):
    add_conv2d(ff, "basic_pad1", (2, 3, 6, 7), (4, 3, 3, 3), pad=(1, 1, 1, 1))
    add_conv2d(ff, "stride2_nobias", (2, 3, 7, 6), (4, 3, 3, 3), stride=(2, 2), bias=False)
    add_conv2d(ff, "stride_2x1_asym_pad", (2, 2, 6, 5), (3, 2, 3, 3), stride=(2, 1),
               pad=(1, 2, 0, 1))
    add_conv2d(ff, "dilation2_stride2_pad2", (1, 2, 9, 8), (3, 2, 3, 3), stride=(2, 2),
               pad=(2, 2, 2, 2), dilation=(2, 2))
    add_conv2d(ff, "dilation_2x3_asym_pad", (2, 2, 8, 9), (2, 2, 3, 2), pad=(0, 1, 2, 1),
               dilation=(2, 3))
    add_conv2d(ff, "groups2", (2, 4, 5, 5), (6, 2, 3, 3), pad=(1, 1, 1, 1), groups=2)
    add_conv2d(ff, "depthwise_multiplier2", (2, 3, 6, 6), (6, 1, 3, 3), pad=(1, 1, 1, 1),
               groups=3)
    add_conv2d(ff, "depthwise_stride2_nobias", (1, 4, 7, 7), (4, 1, 3, 3), stride=(2, 2),
               pad=(1, 1, 1, 1), groups=4, bias=False)
    add_conv2d(ff, "kernel_larger_than_input", (2, 2, 3, 3), (3, 2, 5, 5), pad=(2, 2, 2, 2))
    add_conv2d(ff, "kernel_5x4_larger_asym_pad", (1, 2, 3, 2), (2, 2, 5, 4), pad=(2, 1, 1, 2))
    add_conv2d(ff, "input_1x1_kernel3_pad1", (2, 3, 1, 1), (4, 3, 3, 3), pad=(1, 1, 1, 1))
    add_conv2d(ff, "input_1x1_kernel1", (3, 5, 1, 1), (2, 5, 1, 1))
    add_conv2d(ff, "stride3_kernel2", (2, 2, 8, 8), (3, 2, 2, 2), stride=(3, 3))
    add_conv2d(ff, "pointwise", (2, 6, 4, 5), (5, 6, 1, 1))
    add_conv2d(ff, "kernel_1x3_stride_1x2", (2, 3, 5, 9), (4, 3, 1, 3), stride=(1, 2),
               pad=(0, 0, 1, 1))


def conv_transpose2d_cases(ff):
    add_conv_transpose2d(ff, "basic", (2, 3, 4, 4), (3, 2, 3, 3))
    add_conv_transpose2d(ff, "stride2_pad1_outpad1", (2, 3, 4, 5), (3, 4, 3, 3), stride=(2, 2),
                         pad=(1, 1, 1, 1), output_padding=(1, 1))
    add_conv_transpose2d(ff, "stride_3x2_pad_1x0_outpad_2x1", (1, 2, 3, 4), (2, 3, 3, 2),
                         stride=(3, 2), pad=(1, 1, 0, 0), output_padding=(2, 1))
    add_conv_transpose2d(ff, "dilation2_stride2_outpad1", (2, 2, 4, 3), (2, 3, 3, 3),
                         stride=(2, 2), dilation=(2, 2), output_padding=(1, 1), bias=False)
    add_conv_transpose2d(ff, "groups2", (2, 4, 4, 4), (4, 3, 3, 3), stride=(2, 2),
                         pad=(1, 1, 1, 1), groups=2)
    add_conv_transpose2d(ff, "depthwise_nobias", (1, 3, 5, 5), (3, 1, 3, 3), pad=(1, 1, 1, 1),
                         groups=3, bias=False)
    add_conv_transpose2d(ff, "asym_pad_stride2", (2, 2, 3, 4), (2, 3, 3, 3), stride=(2, 2),
                         pad=(0, 1, 1, 2))
    add_conv_transpose2d(ff, "asym_pad_outpad", (1, 2, 4, 3), (2, 2, 4, 3), stride=(3, 2),
                         pad=(2, 1, 0, 1), output_padding=(1, 1))
    add_conv_transpose2d(ff, "input_1x1", (2, 3, 1, 1), (3, 2, 3, 3), stride=(2, 2))
    add_conv_transpose2d(ff, "stride3_kernel2", (2, 2, 3, 3), (2, 2, 2, 2), stride=(3, 3))


def pool2d_cases(ff):
    x = lambda *shape: randn(*shape)
    ties = lambda *shape: torch.randint(0, 3, shape).to(torch.float32)
    # max
    add_pool2d(ff, "max_k3_s2_pad1", x(2, 3, 7, 7), 1, (3, 3), (2, 2), (1, 1, 1, 1))
    add_pool2d(ff, "max_k3_s2_ceil", x(2, 2, 8, 8), 1, (3, 3), (2, 2), ceil_mode=1)
    add_pool2d(ff, "max_k3_s2_pad1_ceil", x(1, 2, 6, 6), 1, (3, 3), (2, 2), (1, 1, 1, 1),
               ceil_mode=1)
    add_pool2d(ff, "max_ceil_last_window_dropped", x(1, 2, 5, 5), 1, (3, 3), (3, 3),
               (1, 1, 1, 1), ceil_mode=1)
    add_pool2d(ff, "max_dilation2_pad1_s2_ceil", x(2, 2, 9, 8), 1, (3, 3), (2, 2), (1, 1, 1, 1),
               dilation=(2, 2), ceil_mode=1)
    add_pool2d(ff, "max_dilation_2x1_stride1", x(1, 2, 7, 6), 1, (2, 3), (1, 1), dilation=(2, 1))
    add_pool2d(ff, "max_k2_s3_stride_gt_kernel", x(2, 2, 8, 8), 1, (2, 2), (3, 3))
    add_pool2d(ff, "max_asym_pad", x(2, 2, 6, 7), 1, (3, 3), (2, 2), (0, 2, 1, 0))
    add_pool2d(ff, "max_ties_k2_s1", ties(2, 2, 5, 5), 1, (2, 2), (1, 1))
    add_pool2d(ff, "max_ties_k3_s2_pad1", ties(1, 3, 6, 6), 1, (3, 3), (2, 2), (1, 1, 1, 1))
    # average
    add_pool2d(ff, "avg_k3_s2_pad1_include_pad", x(2, 3, 7, 7), 0, (3, 3), (2, 2), (1, 1, 1, 1),
               count_include_pad=1)
    add_pool2d(ff, "avg_k3_s2_pad1_exclude_pad", x(2, 3, 7, 7), 0, (3, 3), (2, 2), (1, 1, 1, 1),
               count_include_pad=0)
    add_pool2d(ff, "avg_k3_s2_pad1_ceil_include_pad", x(1, 2, 8, 8), 0, (3, 3), (2, 2),
               (1, 1, 1, 1), ceil_mode=1, count_include_pad=1)
    add_pool2d(ff, "avg_k3_s2_pad1_ceil_exclude_pad", x(1, 2, 8, 8), 0, (3, 3), (2, 2),
               (1, 1, 1, 1), ceil_mode=1, count_include_pad=0)
    add_pool2d(ff, "avg_ceil_last_window_dropped_include_pad", x(1, 2, 5, 5), 0, (3, 3), (3, 3),
               (1, 1, 1, 1), ceil_mode=1, count_include_pad=1)
    add_pool2d(ff, "avg_k2_s2_ceil_no_pad", x(2, 2, 5, 7), 0, (2, 2), (2, 2), ceil_mode=1)
    add_pool2d(ff, "avg_divisor_override3_pad1", x(2, 2, 6, 6), 0, (3, 3), (2, 2), (1, 1, 1, 1),
               divisor_override=3)
    add_pool2d(ff, "avg_k_2x3_s_1x2", x(2, 2, 5, 8), 0, (2, 3), (1, 2))
    add_pool2d(ff, "avg_asym_pad_include_pad", x(2, 2, 6, 7), 0, (3, 3), (2, 2), (1, 2, 0, 1),
               count_include_pad=1)
    add_pool2d(ff, "avg_asym_pad_exclude_pad", x(2, 2, 6, 7), 0, (3, 3), (2, 2), (1, 2, 0, 1),
               count_include_pad=0)
    add_pool2d(ff, "avg_k3_s3_stride_eq_kernel", x(1, 3, 9, 6), 0, (3, 3), (3, 3))
    add_adaptive_avg_pool2d(ff, "adaptive_avg_6x8_to_3x4", (2, 3, 6, 8), (3, 4))
    add_adaptive_avg_pool2d(ff, "adaptive_avg_6x6_to_2x3", (1, 2, 6, 6), (2, 3))


def global_pool2d_cases(ff):
    add_global_pool2d(ff, "global_avg", randn(2, 3, 5, 4), 0)
    add_global_pool2d(ff, "global_avg_1x1", randn(2, 3, 1, 1), 0)
    add_global_pool2d(ff, "global_max", randn(2, 3, 5, 4), 1)
    add_global_pool2d(ff, "global_max_ties", torch.randint(0, 3, (2, 3, 4, 4)).to(torch.float32), 1)


def batchnorm2d_cases(ff):
    channels = 3
    gamma, beta = randn(channels), randn(channels)
    mean, var = torch.zeros(channels), torch.ones(channels)
    # Three training steps; each step's running_*_out is the next step's running_*.
    for step in range(1, 4):
        x = randn(4, channels, 5, 5) * (1.0 + step) + 0.5 * step
        mean, var = add_batchnorm2d_train(ff, "train_step%d" % step, x, gamma, beta, mean, var,
                                          1e-5, 0.1)
    add_batchnorm2d_train(ff, "train_momentum0.3_eps1e-3", randn(2, 2, 3, 4) * 2.0 + 1.0,
                          randn(2), randn(2), randn(2), torch.rand(2) + 0.5, 1e-3, 0.3)
    add_batchnorm2d_train(ff, "train_batch1_1x2", randn(1, 4, 1, 2), randn(4), randn(4),
                          torch.zeros(4), torch.ones(4), 1e-5, 0.1)
    add_batchnorm2d_eval(ff, "eval_after_training", randn(2, channels, 4, 4), gamma, beta, mean,
                         var, 1e-5)
    add_batchnorm2d_eval(ff, "eval_eps1e-2", randn(3, 2, 3, 3), randn(2), randn(2), randn(2),
                         torch.rand(2) + 0.2, 1e-2)


def linear_cases(ff):
    add_linear(ff, "n5_in7_out4", 5, 7, 4)
    add_linear(ff, "n3_in6_out2_nobias", 3, 6, 2, bias=False)
    add_linear(ff, "n1_in16_out10", 1, 16, 10)


def activation_cases(ff):
    x = randn(2, 3, 4, 5) * 3.0
    x.view(-1)[::7] = 0.0  # exact zeros: ReLU'(0) = 0, LeakyReLU'(0) = alpha
    wide = torch.linspace(-15.0, 15.0, 31).reshape(1, 31)
    add_activation(ff, "relu", "relu", x)
    add_activation(ff, "leaky_relu_0.01", "leaky_relu", x, 0.01)
    add_activation(ff, "leaky_relu_0.2", "leaky_relu", x, 0.2)
    add_activation(ff, "sigmoid", "sigmoid", x)
    add_activation(ff, "sigmoid_saturating", "sigmoid", wide)
    add_activation(ff, "tanh", "tanh", x)
    add_activation(ff, "tanh_saturating", "tanh", wide)


def loss_cases(ff):
    logits = randn(6, 5) * 2.0
    labels = torch.randint(0, 5, (6,))
    add_softmax_cross_entropy(ff, "plain", logits, labels, 0.0, 1.0)
    add_softmax_cross_entropy(ff, "label_smoothing_0.1", logits, labels, 0.1, 1.0)
    add_softmax_cross_entropy(ff, "label_smoothing_0.3_loss_grad_0.5", logits, labels, 0.3, 0.5)
    large = randn(4, 10) * 30.0
    add_softmax_cross_entropy(ff, "large_logits", large, torch.randint(0, 10, (4,)), 0.0, 1.0)
    add_softmax_cross_entropy(ff, "batch1_classes2", randn(1, 2), torch.tensor([1]), 0.2, 2.0)


def sgd_cases(ff):
    add_sgd(ff, "plain", lr=0.1)
    add_sgd(ff, "weight_decay", lr=0.05, weight_decay=0.1)
    add_sgd(ff, "momentum", lr=0.05, momentum=0.9)
    add_sgd(ff, "momentum_dampening", lr=0.05, momentum=0.9, dampening=0.5)
    add_sgd(ff, "nesterov", lr=0.05, momentum=0.9, nesterov=True)
    add_sgd(ff, "nesterov_weight_decay", lr=0.02, momentum=0.8, weight_decay=0.01, nesterov=True)
    add_sgd(ff, "momentum_dampening_weight_decay", lr=0.1, momentum=0.5, dampening=0.1,
            weight_decay=0.05)


def adam_cases(ff):
    add_adam(ff, "defaults", lr=1e-3)
    add_adam(ff, "lr0.1_betas_0.8_0.99_eps1e-6", lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6)
    add_adam(ff, "l2_weight_decay", lr=0.01, weight_decay=0.1)
    add_adam(ff, "adamw", lr=0.01, weight_decay=0.1, decoupled=True)
    add_adam(ff, "adamw_torch_defaults", lr=1e-3, weight_decay=0.01, decoupled=True)
    add_adam(ff, "eps1e-2_15_steps", lr=0.05, eps=1e-2, steps=15)
    add_adam(ff, "amsgrad_beta2_0.6", lr=0.05, beta2=0.6, amsgrad=True)
    add_adam(ff, "adamw_amsgrad_betas_0.8_0.8", lr=0.05, beta1=0.8, beta2=0.8, weight_decay=0.1, decoupled=True,
             amsgrad=True, steps=15)


def rmsprop_cases(ff):
    add_rmsprop(ff, "defaults", lr=1e-2)
    add_rmsprop(ff, "alpha0.9_weight_decay", lr=1e-2, alpha=0.9, weight_decay=0.05)
    add_rmsprop(ff, "momentum0.8_eps1e-6", lr=5e-3, momentum=0.8, eps=1e-6, grad_scale=0.8)
    add_rmsprop(ff, "centered", lr=5e-3, alpha=0.9, centered=True, grad_scale=0.8)
    add_rmsprop(ff, "centered_momentum_weight_decay_15_steps", lr=2e-3, alpha=0.95, momentum=0.7, weight_decay=0.01,
                eps=1e-6, centered=True, steps=15, grad_scale=0.9)


def conv2d_fused_cases(ff):
    add_conv2d_fused(ff, "relu_3x3_pad1", "relu", (2, 3, 6, 7), (4, 3, 3, 3))
    add_conv2d_fused(ff, "relu_stride2_nobias", "relu", (2, 5, 7, 6), (6, 5, 3, 3), stride=(2, 2),
                     bias=False)
    add_conv2d_fused(ff, "leaky_relu_0.1_groups2", "leaky_relu", (2, 4, 5, 5), (6, 2, 3, 3), groups=2,
                     alpha=0.1)
    add_conv2d_fused(ff, "relu_depthwise", "relu", (2, 3, 6, 6), (6, 1, 3, 3), groups=3)
    add_conv2d_fused(ff, "sigmoid_pointwise", "sigmoid", (2, 6, 4, 5), (5, 6, 1, 1), pad=(0, 0, 0, 0))
    add_conv2d_fused(ff, "tanh_asym_pad", "tanh", (1, 2, 6, 5), (3, 2, 3, 3), pad=(0, 2, 1, 0))
    add_conv2d_fused(ff, "relu_16ch_14x14", "relu", (2, 16, 14, 14), (16, 16, 3, 3))


FILES = [
    ("conv2d", conv2d_cases),
    ("conv_transpose2d", conv_transpose2d_cases),
    ("pool2d", pool2d_cases),
    ("global_pool2d", global_pool2d_cases),
    ("batchnorm2d", batchnorm2d_cases),
    ("linear", linear_cases),
    ("activation", activation_cases),
    ("softmax_cross_entropy", loss_cases),
    ("sgd", sgd_cases),
    ("adam", adam_cases),
    ("rmsprop", rmsprop_cases),
    ("conv2d_fused", conv2d_fused_cases),
]


def main():
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    os.makedirs(OUT_DIR, exist_ok=True)
    for stem, make_cases in FILES:
        path = os.path.join(OUT_DIR, stem + ".ckf")
        header = ["ConvKit fixtures: %s, golden values from PyTorch %s (CPU, float32)."
                  % (stem, torch.__version__),
                  "Generated by Tests/Fixtures/scripts/make_torch_fixtures.py (seed %d);"
                  " do not edit by hand." % SEED,
                  "Format and conventions: Tests/Fixtures/README.md."]
        ff = FixtureFile(path, header)
        make_cases(ff)
        print("%-60s %3d cases" % (os.path.relpath(path), ff.write()))


if __name__ == "__main__":
    main()
