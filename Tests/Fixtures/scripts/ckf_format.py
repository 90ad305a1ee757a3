"""Writes and reads ConvKit fixture files (*.ckf); the format is in ../README.md.

Shared by the fixture scripts. Needs numpy only. The reader is a plain one
for the scripts' own checks; the C tests use Tests/COpSuite/fixture.c.
"""

import math

import numpy as np

VALUES_PER_LINE = 8


def _format_number(value):
    """An attribute value: integers as integers, anything else with %.9g."""
    value = float(value)
    if value.is_integer() and abs(value) < 2**53:
        return "%d" % int(value)
    return "%.9g" % value


def _format_values(array, dtype):
    flat = np.asarray(array).reshape(-1)
    if dtype == "i32":
        return ["%d" % int(v) for v in flat]
    # float32 values printed with 9 significant digits read back exactly.
    return ["%.9g" % float(v) for v in flat.astype(np.float32 if dtype == "f32" else np.float64)]


class FixtureFile:
    """Collects cases and writes them to one .ckf file."""

    def __init__(self, path, header_lines):
        self.path = path
        self.header_lines = list(header_lines)
        self.cases = []
        self.names = set()

    def add_case(self, name, op, attrs, tensors, comments=()):
        """attrs: list of (key, number or list of numbers);
        tensors: list of (name, array, dtype) with dtype "f32" or "i32";
        comments: lines written as "# ..." just before the case."""
        if name in self.names:
            raise ValueError("duplicate case name %r in %s" % (name, self.path))
        self.names.add(name)
        lines = ["# " + line for line in comments] + ["case " + name, "op " + op]
        for key, values in attrs:
            if not isinstance(values, (list, tuple)):
                values = [values]
            for v in values:
                if not math.isfinite(float(v)):
                    raise ValueError("attribute %s of case %s is not finite" % (key, name))
            lines.append("attr %s %s" % (key, " ".join(_format_number(v) for v in values)))
        for tensor_name, array, dtype in tensors:
            array = np.asarray(array)
            if dtype == "i32":
                if not np.array_equal(array, array.astype(np.int64)):
                    raise ValueError("tensor %s of case %s is not integral" % (tensor_name, name))
            dims = list(array.shape)
            lines.append("tensor %s %s %d%s" % (tensor_name, dtype, len(dims),
                                                "".join(" %d" % d for d in dims)))
            values = _format_values(array, dtype)
            for start in range(0, len(values), VALUES_PER_LINE):
                lines.append(" ".join(values[start:start + VALUES_PER_LINE]))
        lines.append("end")
        self.cases.append("\n".join(lines))

    def write(self):
        with open(self.path, "w", encoding="ascii", newline="\n") as out:
            for line in self.header_lines:
                out.write("# %s\n" % line)
            for text in self.cases:
                out.write("\n")
                out.write(text)
                out.write("\n")
        return len(self.cases)


class Case:
    """One parsed case: name, op, attrs {key: [numbers]}, tensors {name: ndarray}."""

    def __init__(self, name):
        self.name, self.op, self.attrs, self.tensors = name, None, {}, {}

    def attr(self, key, index=None):
        values = self.attrs[key]
        return values if index is None else values[index]

    def ints(self, key):
        return [int(v) for v in self.attrs[key]]


def read_cases(path):
    """All cases of a .ckf file, in order (float64 arrays; i32 tensors as int64)."""
    with open(path, encoding="ascii") as source:
        tokens = [line.split() for line in source
                  if line.strip() and not line.lstrip().startswith("#")]
    cases, case, pending = [], None, None
    for words in tokens:
        if pending is not None:
            name, dtype, dims, values = pending
            values.extend(words)
            if len(values) >= int(np.prod(dims)):
                kind = np.int64 if dtype == "i32" else np.float64
                case.tensors[name] = np.array(values, dtype=kind).reshape(dims)
                pending = None
            continue
        keyword = words[0]
        if keyword == "case":
            case = Case(words[1])
        elif keyword == "op":
            case.op = words[1]
        elif keyword == "attr":
            case.attrs[words[1]] = [float(v) for v in words[2:]]
        elif keyword == "tensor":
            ndim = int(words[3])
            dims = [int(d) for d in words[4:4 + ndim]]
            pending = (words[1], words[2], dims, [])
            if int(np.prod(dims)) == 0:
                raise ValueError("%s: empty tensor %s" % (path, words[1]))
        elif keyword == "end":
            cases.append(case)
            case = None
        else:
            raise ValueError("%s: unexpected line %r" % (path, " ".join(words)))
    return cases
