#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/onnx/*.ckf from the ONNX backend node test cases.

Run with a Python that has the onnx wheel and numpy:  python make_onnx_fixtures.py
The cases come from onnx.backend.test.case.node.collect_testcases(None), which
rebuilds every node test (inputs, attributes, expected outputs) with
np.random.seed(0), so the output is reproducible for one onnx version.
Attributes are rewritten into ConvKit's (PyTorch's) conventions, described in
../README.md; a case ConvKit cannot express is skipped with a printed reason.
"""

import os
import warnings

import numpy as np
import onnx
from onnx import helper

from ckf_format import FixtureFile
from onnx_mapping import Skip, conv_transpose_geometry, text, window_pads

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "onnx"))

# Node types of neighbouring ops with no ConvKit counterpart.
UNSUPPORTED_OPS = {
    "ConvInteger": "quantized integer convolution (uint8 in, int32 out); ConvKit has no integer conv",
    "QLinearConv": "quantized (uint8) convolution; ConvKit has no quantized conv",
    "DeformConv": "deformable convolution (sampling offsets); not a ConvKit op",
    "LpPool": "Lp-norm pooling; ConvKit pools by max and average only",
    "MaxUnpool": "max unpooling from indices; not a ConvKit op",
    "CausalConvWithState": "1-D causal convolution with carried state; not a ConvKit op",
}

# Facts about a case's data that a test must know, written above the case.
CASE_NOTES = {
    "test_averagepool_2d_ceil_last_window_starts_on_pad":
        "y is written to 4 decimals in ONNX's source (0.1511 for 0.151056): compare with"
        " rtol 1e-3.",
}


def _require_2d_float(inputs, outputs):
    for array in list(inputs) + list(outputs):
        if array.dtype != np.float32:
            raise Skip("%s data; ConvKit fixtures are float32" % array.dtype)
    if inputs[0].ndim != 4:
        raise Skip("%d-D spatial input; ConvKit ops are 2-D (NCHW)" % (inputs[0].ndim - 2))


def _pair(attrs, key, default):
    return [int(v) for v in attrs.get(key, default)]


def convert_conv(attrs, inputs, outputs):
    x, w = inputs[0], inputs[1]
    strides, dilations = _pair(attrs, "strides", [1, 1]), _pair(attrs, "dilations", [1, 1])
    kernel = list(w.shape[2:])
    pads = window_pads(attrs, x.shape[2:], kernel, strides, dilations)
    out = [("stride", strides), ("pad", pads), ("dilation", dilations),
           ("groups", int(attrs.get("group", 1)))]
    tensors = [("x", x), ("w", w)] + ([("bias", inputs[2])] if len(inputs) > 2 else [])
    return "conv2d", out, tensors + [("y", outputs[0])]


def convert_conv_transpose(attrs, inputs, outputs):
    x, w = inputs[0], inputs[1]
    strides, dilations = _pair(attrs, "strides", [1, 1]), _pair(attrs, "dilations", [1, 1])
    kernel = list(w.shape[2:])
    pads, output_padding = conv_transpose_geometry(attrs, x.shape[2:], kernel, strides, dilations)
    for axis in range(2):
        if output_padding[axis] >= max(strides[axis], dilations[axis]):
            raise Skip("output_padding %d >= max(stride, dilation) on axis %d"
                       % (output_padding[axis], axis))
    out = [("stride", strides), ("pad", pads), ("dilation", dilations),
           ("output_padding", output_padding), ("groups", int(attrs.get("group", 1)))]
    tensors = [("x", x), ("w", w)] + ([("bias", inputs[2])] if len(inputs) > 2 else [])
    return "conv_transpose2d", out, tensors + [("y", outputs[0])]


def convert_pool(attrs, inputs, outputs, pool_max):
    x = inputs[0]
    kernel = _pair(attrs, "kernel_shape", [])
    strides, dilations = _pair(attrs, "strides", [1, 1]), _pair(attrs, "dilations", [1, 1])
    pads = window_pads(attrs, x.shape[2:], kernel, strides, dilations)
    # ONNX AveragePool excludes padding from the divisor unless told otherwise.
    include_pad = 0 if pool_max else int(attrs.get("count_include_pad", 0))
    out = [("pool_max", int(pool_max)), ("kernel", kernel), ("stride", strides), ("pad", pads),
           ("dilation", dilations), ("ceil_mode", int(attrs.get("ceil_mode", 0))),
           ("count_include_pad", include_pad), ("divisor_override", 0)]
    return "pool2d", out, [("x", x), ("y", outputs[0])]


def convert_global_pool(attrs, inputs, outputs, pool_max):
    return "global_pool2d", [("pool_max", int(pool_max))], [("x", inputs[0]), ("y", outputs[0])]


def convert_batchnorm(attrs, inputs, outputs):
    training = int(attrs.get("training_mode", 0))
    # ONNX: running = momentum * running + (1 - momentum) * batch (momentum weights
    # the old value, default 0.9); PyTorch's momentum weights the batch value.
    momentum = 1.0 - float(attrs.get("momentum", 0.9))
    # ONNX training mode updates running_var with the biased batch variance
    # (numpy var, ddof 0); PyTorch and ConvKit use the unbiased one.
    out = [("epsilon", float(attrs.get("epsilon", 1e-5))), ("momentum", momentum),
           ("training", training), ("running_var_biased", training)]
    names = ["x", "gamma", "beta", "running_mean", "running_var"]
    tensors = list(zip(names, inputs)) + [("y", outputs[0])]
    if training:
        if len(outputs) != 3:
            raise Skip("training mode without both running-statistics outputs")
        tensors += [("running_mean_out", outputs[1]), ("running_var_out", outputs[2])]
    return "batchnorm2d", out, tensors


CONVERTERS = {
    "Conv": ("conv2d", convert_conv),
    "ConvTranspose": ("conv_transpose2d", convert_conv_transpose),
    "MaxPool": ("pool2d", lambda a, i, o: convert_pool(a, i, o, True)),
    "AveragePool": ("pool2d", lambda a, i, o: convert_pool(a, i, o, False)),
    "GlobalMaxPool": ("global_pool2d", lambda a, i, o: convert_global_pool(a, i, o, True)),
    "GlobalAveragePool": ("global_pool2d", lambda a, i, o: convert_global_pool(a, i, o, False)),
    "BatchNormalization": ("batchnorm2d", convert_batchnorm),
}


def describe(node, case):
    """Comment lines giving the original node, so a failure can be traced."""
    attrs = ", ".join("%s=%s" % (a.name, text(helper.get_attribute_value(a)))
                      for a in node.attribute)
    opset = ", ".join("%s %d" % (o.domain or "ai.onnx", o.version)
                      for o in case.model.opset_import)
    lines = ["ONNX %s(%s), opset %s" % (node.op_type, attrs or "no attributes", opset)]
    if case.name in CASE_NOTES:
        lines.append("Note: " + CASE_NOTES[case.name])
    return lines


def convert(case):
    """(file stem, op, attrs, tensors, comments) for one ONNX test case, or raises Skip."""
    graph = case.model.graph
    node = graph.node[0]
    if node.op_type in UNSUPPORTED_OPS:
        raise Skip(UNSUPPORTED_OPS[node.op_type])
    if len(case.data_sets) != 1:
        raise Skip("%d data sets" % len(case.data_sets))
    inputs, outputs = case.data_sets[0]
    inputs, outputs = [np.asarray(a) for a in inputs], [np.asarray(a) for a in outputs]
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "MaxPool" and len(outputs) > 1:
        raise Skip("MaxPool Indices output (storage_order %d); ConvKit returns values only"
                   % int(attrs.get("storage_order", 0)))
    _require_2d_float(inputs, outputs)
    stem, converter = CONVERTERS[node.op_type]
    op, out_attrs, tensors = converter(attrs, inputs, outputs)
    return stem, op, out_attrs, [(n, a, "f32") for n, a in tensors], describe(node, case)


def relevant_cases():
    """Single-node cases of the ops above, and function-expanded forms of them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unrelated generators warn about float casts
        from onnx.backend.test.case.node import collect_testcases
        cases = collect_testcases(None)
    known = set(CONVERTERS) | set(UNSUPPORTED_OPS)
    single = {c.name for c in cases if len(c.model.graph.node) == 1
              and c.model.graph.node[0].op_type in known}
    for case in cases:
        if case.name in single:
            yield case, None
        elif case.name.endswith("_expanded") and case.name[:-len("_expanded")] in single:
            yield case, "function-expanded form (a graph of primitive nodes)"


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    files = {}
    converted, skipped = 0, 0
    for case, skip_reason in relevant_cases():
        try:
            if skip_reason:
                raise Skip(skip_reason)
            stem, op, attrs, tensors, comments = convert(case)
        except Skip as reason:
            print("skip %s: %s" % (case.name, reason))
            skipped += 1
            continue
        if stem not in files:
            header = ["ConvKit fixtures: %s, from the ONNX %s backend node test cases"
                      % (stem, onnx.__version__),
                      "(onnx.backend.test.case.node; ONNX's own runner compares with rtol 1e-3,"
                      " atol 1e-7).",
                      "Generated by Tests/Fixtures/scripts/make_onnx_fixtures.py; do not edit"
                      " by hand.",
                      "Attributes are in ConvKit/PyTorch conventions: Tests/Fixtures/README.md."]
            files[stem] = FixtureFile(os.path.join(OUT_DIR, stem + ".ckf"), header)
        files[stem].add_case(case.name, op, attrs, tensors, comments)
        converted += 1
    for stem in sorted(files):
        count = files[stem].write()
        print("%-50s %3d cases" % (os.path.relpath(files[stem].path), count))
    print("onnx %s: %d cases converted, %d skipped" % (onnx.__version__, converted, skipped))


if __name__ == "__main__":
    main()
