#!/usr/bin/env python3
"""Recomputes the forward outputs of the conv, pooling and batch-norm fixtures.

Run with a Python that has torch and numpy:  python3 check_fixtures.py
Checks the attribute mapping of Tests/Fixtures/onnx/*.ckf (every converted
ONNX case is recomputed from its inputs and its ConvKit-convention attributes
and compared with ONNX's expected outputs) and the per-side padding
constructions of Tests/Fixtures/torch/*.ckf. Per-side padding is built from
F.pad; pooling that PyTorch cannot express directly (asymmetric padding,
padding over half the kernel, dilated average pooling) runs through a plain
loop over the rules in convkit.h, independent of the generators' constructions.
Exits 1 on any mismatch.
"""

import glob
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from ckf_format import read_cases

FIXTURES_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
RTOL, ATOL = 1e-5, 1e-5
# ONNX's own runner tolerance; a few expected outputs are hand-rounded in ONNX's
# source and meet only this one (reported as "ok~").
ONNX_RTOL, ONNX_ATOL = 1e-3, 1e-7


def t(array):
    return torch.from_numpy(np.asarray(array, dtype=np.float32))


def conv2d(case):
    top, bottom, left, right = case.ints("pad")
    x = F.pad(t(case.tensors["x"]), (left, right, top, bottom))
    bias = t(case.tensors["bias"]) if "bias" in case.tensors else None
    y = F.conv2d(x, t(case.tensors["w"]), bias, case.ints("stride"), 0, case.ints("dilation"),
                 case.ints("groups")[0])
    return {"y": y}


def conv_transpose2d(case):
    top, bottom, left, right = case.ints("pad")
    out_h, out_w = case.ints("output_padding")
    full = F.conv_transpose2d(t(case.tensors["x"]), t(case.tensors["w"]), None,
                              case.ints("stride"), 0, 0, case.ints("groups")[0],
                              case.ints("dilation"))
    y = F.pad(full, (-left, out_w - right, -top, out_h - bottom))
    if "bias" in case.tensors:
        y = y + t(case.tensors["bias"]).view(1, -1, 1, 1)
    return {"y": y}


def pool_output_size(size, kernel, stride, begin, end, dilation, ceil_mode):
    span = size + begin + end - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + begin:
        out -= 1
    return out


def pool2d_loops(x, pool_max, kernel, stride, pad, dilation, ceil_mode, include_pad, override):
    """Max / average pooling by the rules of convkit.h, one window at a time."""
    n, c, h, w = x.shape
    top, bottom, left, right = pad
    oh = pool_output_size(h, kernel[0], stride[0], top, bottom, dilation[0], ceil_mode)
    ow = pool_output_size(w, kernel[1], stride[1], left, right, dilation[1], ceil_mode)
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = [i * stride[0] - top + a * dilation[0] for a in range(kernel[0])]
            cols = [j * stride[1] - left + b * dilation[1] for b in range(kernel[1])]
            inside_r = [r for r in rows if 0 <= r < h]
            inside_c = [q for q in cols if 0 <= q < w]
            window = x[:, :, inside_r][:, :, :, inside_c].astype(np.float64)
            if pool_max:
                y[:, :, i, j] = window.max(axis=(2, 3))
                continue
            if override:
                divisor = override
            elif include_pad:
                padded_r = [r for r in rows if -top <= r < h + bottom]
                padded_c = [q for q in cols if -left <= q < w + right]
                divisor = len(padded_r) * len(padded_c)
            else:
                divisor = len(inside_r) * len(inside_c)
            y[:, :, i, j] = window.sum(axis=(2, 3)) / divisor
    return y


def pool2d(case):
    pool_max = case.ints("pool_max")[0]
    kernel, stride, dilation = case.ints("kernel"), case.ints("stride"), case.ints("dilation")
    top, bottom, left, right = pad = case.ints("pad")
    ceil_mode, include_pad = case.ints("ceil_mode")[0], case.ints("count_include_pad")[0]
    override = case.ints("divisor_override")[0]
    x = case.tensors["x"]
    torch_can = (top == bottom and left == right and top <= kernel[0] // 2
                 and left <= kernel[1] // 2 and (pool_max or dilation == [1, 1]))
    if not torch_can:
        return {"y": pool2d_loops(x, pool_max, kernel, stride, pad, dilation, ceil_mode,
                                  include_pad, override)}, "loops"
    if pool_max:
        y = F.max_pool2d(t(x), kernel, stride, (top, left), dilation, bool(ceil_mode))
    else:
        y = F.avg_pool2d(t(x), kernel, stride, (top, left), bool(ceil_mode), bool(include_pad),
                         override or None)
    return {"y": y}, "torch"


def global_pool2d(case):
    x = t(case.tensors["x"])
    if case.ints("pool_max")[0]:
        return {"y": F.adaptive_max_pool2d(x, 1)}
    return {"y": F.adaptive_avg_pool2d(x, 1)}


def batchnorm2d(case):
    eps, momentum = case.attr("epsilon", 0), case.attr("momentum", 0)
    training = case.ints("training")[0]
    x = t(case.tensors["x"])
    mean, var = t(case.tensors["running_mean"]).clone(), t(case.tensors["running_var"]).clone()
    y = F.batch_norm(x, mean, var, t(case.tensors["gamma"]), t(case.tensors["beta"]),
                     training=bool(training), momentum=momentum, eps=eps)
    out = {"y": y}
    if training:
        out["running_mean_out"] = mean
        if case.ints("running_var_biased")[0]:
            batch_var = x.var(dim=(0, 2, 3), unbiased=False)
            old = t(case.tensors["running_var"])
            out["running_var_out"] = (1 - momentum) * old + momentum * batch_var
        else:
            out["running_var_out"] = var
    return out


CHECKS = {"conv2d": conv2d, "conv_transpose2d": conv_transpose2d, "pool2d": pool2d,
          "global_pool2d": global_pool2d, "batchnorm2d": batchnorm2d}


def main():
    failures = 0
    paths = sorted(glob.glob(os.path.join(FIXTURES_DIR, "onnx", "*.ckf")))
    paths += sorted(glob.glob(os.path.join(FIXTURES_DIR, "torch", "*.ckf")))
    for path in paths:
        for case in read_cases(path):
            if case.op not in CHECKS:
                continue
            result = CHECKS[case.op](case)
            result, how = result if isinstance(result, tuple) else (result, "torch")
            for name, got in result.items():
                got = got.detach().numpy() if torch.is_tensor(got) else got
                want = case.tensors[name]
                if got.shape != want.shape:
                    print("FAIL %s %s: shape %s, expected %s" % (case.name, name, got.shape,
                                                                  want.shape))
                    failures += 1
                    continue
                err = np.abs(got - want).max()
                if np.allclose(got, want, rtol=RTOL, atol=ATOL):
                    verdict = "ok  "
                elif np.allclose(got, want, rtol=ONNX_RTOL, atol=ONNX_ATOL):
                    verdict = "ok~ "
                else:
                    verdict = "FAIL"
                    failures += 1
                label = "%s/%s" % (os.path.basename(os.path.dirname(path)), case.name)
                print("%s %-58s %-17s %-6s max |diff| %.3g" % (verdict, label, name, how, err))
    print("%d mismatches" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
