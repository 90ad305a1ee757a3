"""Maps ONNX node attributes onto ConvKit's (PyTorch's) conventions.

ConvKit padding is per side, in the order top bottom left right. ONNX `pads`
lists all begins then all ends: [top, left, bottom, right] for 2-D.
"""


class Skip(Exception):
    """A case ConvKit cannot express; the message says why."""


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def per_side(onnx_pads):
    """ONNX [top, left, bottom, right] -> ConvKit [top, bottom, left, right]."""
    top, left, bottom, right = (int(p) for p in onnx_pads)
    return [top, bottom, left, right]


def same_pads(in_size, kernel, stride, dilation, auto_pad):
    """Conv / pooling auto_pad SAME_UPPER / SAME_LOWER for one axis, as the ONNX
    spec defines it: output = ceil(in / stride), total padding
    max(0, (output - 1) * stride + dilation * (kernel - 1) + 1 - in), split in
    halves with the odd pixel at the end (SAME_UPPER) or at the start
    (SAME_LOWER). Returns (begin, end)."""
    out = -(-in_size // stride)
    total = max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - in_size)
    small, large = total // 2, total - total // 2
    return (small, large) if auto_pad == "SAME_UPPER" else (large, small)


def window_pads(attrs, in_hw, kernel, strides, dilations):
    """Per-side pads [top, bottom, left, right] of Conv / MaxPool / AveragePool."""
    auto_pad = text(attrs.get("auto_pad", "NOTSET"))
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        top, bottom = same_pads(in_hw[0], kernel[0], strides[0], dilations[0], auto_pad)
        left, right = same_pads(in_hw[1], kernel[1], strides[1], dilations[1], auto_pad)
        return [top, bottom, left, right]
    if auto_pad == "VALID":
        return [0, 0, 0, 0]
    if auto_pad != "NOTSET":
        raise Skip("unknown auto_pad %s" % auto_pad)
    return per_side(attrs.get("pads", [0, 0, 0, 0]))


def conv_transpose_geometry(attrs, in_hw, kernel, strides, dilations):
    """Per-side pads [top, bottom, left, right] and output_padding [h, w] of ConvTranspose.

    Without output_shape and auto_pad, `pads` and `output_padding` are used as
    they are. Otherwise, following the ONNX spec (and its reference
    implementation), per axis:
      output_shape  = the attribute, or in * stride when only auto_pad is set;
      total_padding = stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1
                      - output_shape;
      SAME_UPPER: begin = total_padding // 2, end = total_padding - begin;
      otherwise:  end = total_padding // 2,   begin = total_padding - end
    with Python's floor division. A negative end (output_shape larger than the
    unpadded result: the reference implementation appends zero rows/columns)
    becomes extra output_padding with end = 0, which is exactly what
    output_padding does when the end padding is 0. A negative begin cannot be
    expressed and is skipped.
    """
    output_padding = [int(v) for v in attrs.get("output_padding", [0, 0])]
    auto_pad = text(attrs.get("auto_pad", "NOTSET"))
    output_shape = attrs.get("output_shape")
    if output_shape is None and auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        if auto_pad not in ("NOTSET", "VALID"):
            raise Skip("unknown auto_pad %s" % auto_pad)
        pads = [0, 0, 0, 0] if auto_pad == "VALID" else per_side(attrs.get("pads", [0, 0, 0, 0]))
        return pads, output_padding
    if output_shape is None:
        output_shape = [in_hw[0] * strides[0], in_hw[1] * strides[1]]
    sides = []
    for axis in range(2):
        total = (strides[axis] * (in_hw[axis] - 1) + output_padding[axis]
                 + dilations[axis] * (kernel[axis] - 1) + 1 - int(output_shape[axis]))
        if auto_pad == "SAME_UPPER":
            begin = total // 2
            end = total - begin
        else:
            end = total // 2
            begin = total - end
        if begin < 0:
            raise Skip("output_shape needs negative padding at the start of axis %d" % axis)
        if end < 0:
            output_padding[axis] -= end
            end = 0
        sides.append((begin, end))
    return [sides[0][0], sides[0][1], sides[1][0], sides[1][1]], output_padding
