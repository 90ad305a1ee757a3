"""Convolution and pooling cases computed by PyTorch (float32, CPU, autograd).

Used by make_torch_fixtures.py; every function adds cases to a FixtureFile.
Per-side padding, which PyTorch's conv/pool functions lack, is built from
F.pad (zeros for conv and count-including average, -inf for max) followed by
the unpadded op; asymmetric transposed-conv padding crops the full output.
"""

import torch
import torch.nn.functional as F

from torch_common import arr, randn


def _is_symmetric(pad):
    top, bottom, left, right = pad
    return top == bottom and left == right


def add_conv2d(ff, name, x_shape, w_shape, stride=(1, 1), pad=(0, 0, 0, 0), dilation=(1, 1),
               groups=1, bias=True):
    """op conv2d: x (N,C,H,W), w (O,C/groups,KH,KW) OIHW, pad = top bottom left right."""
    x = randn(*x_shape).requires_grad_()
    w = randn(*w_shape).requires_grad_()
    b = randn(w_shape[0]).requires_grad_() if bias else None
    top, bottom, left, right = pad
    if _is_symmetric(pad):
        y = F.conv2d(x, w, b, stride, (top, left), dilation, groups)
    else:
        y = F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride, 0, dilation, groups)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = [("x", arr(x), "f32"), ("w", arr(w), "f32")]
    if bias:
        tensors.append(("bias", arr(b), "f32"))
    tensors += [("dy", arr(dy), "f32"), ("y", arr(y), "f32"), ("dx", arr(x.grad), "f32"),
                ("dw", arr(w.grad), "f32")]
    if bias:
        tensors.append(("dbias", arr(b.grad), "f32"))
    attrs = [("stride", stride), ("pad", pad), ("dilation", dilation), ("groups", groups)]
    ff.add_case(name, "conv2d", attrs, tensors)


# ck_activation codes (convkit.h) of the fused conv epilogue, and PyTorch's functions.
FUSED_ACTIVATIONS = {
    "relu": (0, lambda y, alpha: F.relu(y)),
    "leaky_relu": (1, lambda y, alpha: F.leaky_relu(y, alpha)),
    "sigmoid": (2, lambda y, alpha: torch.sigmoid(y)),
    "tanh": (3, lambda y, alpha: torch.tanh(y)),
}


def add_conv2d_fused(ff, name, activation, x_shape, w_shape, stride=(1, 1), pad=(1, 1, 1, 1),
                     groups=1, bias=True, alpha=0.0):
    """op conv2d_fused: y = f(conv2d(x, w) + bias), f by attr activation (a ck_activation code)."""
    code, f = FUSED_ACTIVATIONS[activation]
    x = randn(*x_shape)
    w = randn(*w_shape)
    b = randn(w_shape[0]) if bias else None
    top, bottom, left, right = pad
    y = f(F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride, 0, 1, groups), alpha)
    tensors = [("x", arr(x), "f32"), ("w", arr(w), "f32")]
    if bias:
        tensors.append(("bias", arr(b), "f32"))
    tensors.append(("y", arr(y), "f32"))
    attrs = [("stride", stride), ("pad", pad), ("dilation", (1, 1)), ("groups", groups),
             ("activation", code), ("alpha", alpha)]
    ff.add_case(name, "conv2d_fused", attrs, tensors)


def add_conv_transpose2d(ff, name, x_shape, w_shape, stride=(1, 1), pad=(0, 0, 0, 0),
                         dilation=(1, 1), output_padding=(0, 0), groups=1, bias=True):
    """op conv_transpose2d: x (N,C,H,W), w (C,O/groups,KH,KW) IOHW.

    Output height (H-1)*stride - top - bottom + dilation*(KH-1) + output_padding + 1;
    asymmetric padding crops the full (unpadded) output, output_padding extends its end.
    """
    x = randn(*x_shape).requires_grad_()
    w = randn(*w_shape).requires_grad_()
    b = randn(w_shape[1] * groups).requires_grad_() if bias else None
    top, bottom, left, right = pad
    if _is_symmetric(pad):
        y = F.conv_transpose2d(x, w, b, stride, (top, left), output_padding, groups, dilation)
    else:
        full = F.conv_transpose2d(x, w, None, stride, 0, 0, groups, dilation)
        y = F.pad(full, (-left, output_padding[1] - right, -top, output_padding[0] - bottom))
        if bias:
            y = y + b.view(1, -1, 1, 1)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = [("x", arr(x), "f32"), ("w", arr(w), "f32")]
    if bias:
        tensors.append(("bias", arr(b), "f32"))
    tensors += [("dy", arr(dy), "f32"), ("y", arr(y), "f32"), ("dx", arr(x.grad), "f32"),
                ("dw", arr(w.grad), "f32")]
    if bias:
        tensors.append(("dbias", arr(b.grad), "f32"))
    attrs = [("stride", stride), ("pad", pad), ("dilation", dilation),
             ("output_padding", output_padding), ("groups", groups)]
    ff.add_case(name, "conv_transpose2d", attrs, tensors)


def _pool_forward(x, pool_max, kernel, stride, pad, dilation, ceil_mode, count_include_pad,
                  divisor_override):
    assert pool_max or tuple(dilation) == (1, 1), "PyTorch average pooling has no dilation"
    top, bottom, left, right = pad
    if _is_symmetric(pad):
        if pool_max:
            return F.max_pool2d(x, kernel, stride, (top, left), dilation, bool(ceil_mode))
        return F.avg_pool2d(x, kernel, stride, (top, left), bool(ceil_mode),
                            bool(count_include_pad), divisor_override or None)
    # Pre-padding matches per-side padding only in floor mode (ceil mode's
    # "drop a last window that starts in the end padding" rule would differ).
    assert not ceil_mode, "asymmetric pooling cases must use floor mode"
    sides = (left, right, top, bottom)
    if pool_max:
        return F.max_pool2d(F.pad(x, sides, value=float("-inf")), kernel, stride, 0, dilation)
    padded = F.pad(x, sides)
    if divisor_override or count_include_pad:
        return F.avg_pool2d(padded, kernel, stride, 0, False, True, divisor_override or None)
    # Divisor = taps inside the input: window sums over the zero-padded input
    # divided by window sums over a zero-padded tensor of ones.
    window_sum = F.avg_pool2d(padded, kernel, stride, 0, False, True, 1)
    inside = F.avg_pool2d(F.pad(torch.ones_like(x), sides), kernel, stride, 0, False, True, 1)
    return window_sum / inside


def add_pool2d(ff, name, x, pool_max, kernel, stride, pad=(0, 0, 0, 0), dilation=(1, 1),
               ceil_mode=0, count_include_pad=1, divisor_override=0):
    """op pool2d: x (N,C,H,W) -> y (N,C,OH,OW), with dy and dx."""
    x = x.clone().requires_grad_()
    y = _pool_forward(x, pool_max, kernel, stride, pad, dilation, ceil_mode, count_include_pad,
                      divisor_override)
    dy = randn(*y.shape)
    y.backward(dy)
    attrs = [("pool_max", pool_max), ("kernel", kernel), ("stride", stride), ("pad", pad),
             ("dilation", dilation), ("ceil_mode", ceil_mode),
             ("count_include_pad", 0 if pool_max else count_include_pad),
             ("divisor_override", divisor_override)]
    tensors = [("x", arr(x), "f32"), ("dy", arr(dy), "f32"), ("y", arr(y), "f32"),
               ("dx", arr(x.grad), "f32")]
    ff.add_case(name, "pool2d", attrs, tensors)


def add_adaptive_avg_pool2d(ff, name, x_shape, out_hw):
    """F.adaptive_avg_pool2d with an output that divides the input: identical to
    average pooling with kernel = stride = input / output, and stored as that."""
    x = randn(*x_shape).requires_grad_()
    in_h, in_w = x_shape[2], x_shape[3]
    assert in_h % out_hw[0] == 0 and in_w % out_hw[1] == 0
    kernel = (in_h // out_hw[0], in_w // out_hw[1])
    y = F.adaptive_avg_pool2d(x, out_hw)
    dy = randn(*y.shape)
    y.backward(dy)
    attrs = [("pool_max", 0), ("kernel", kernel), ("stride", kernel), ("pad", (0, 0, 0, 0)),
             ("dilation", (1, 1)), ("ceil_mode", 0), ("count_include_pad", 1),
             ("divisor_override", 0)]
    tensors = [("x", arr(x), "f32"), ("dy", arr(dy), "f32"), ("y", arr(y), "f32"),
               ("dx", arr(x.grad), "f32")]
    ff.add_case(name, "pool2d", attrs, tensors)


def add_global_pool2d(ff, name, x, pool_max):
    """op global_pool2d: x (N,C,H,W) -> y (N,C,1,1) by F.adaptive_{max,avg}_pool2d(x, 1)."""
    x = x.clone().requires_grad_()
    y = F.adaptive_max_pool2d(x, 1) if pool_max else F.adaptive_avg_pool2d(x, 1)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = [("x", arr(x), "f32"), ("dy", arr(dy), "f32"), ("y", arr(y), "f32"),
               ("dx", arr(x.grad), "f32")]
    ff.add_case(name, "global_pool2d", [("pool_max", pool_max)], tensors)
