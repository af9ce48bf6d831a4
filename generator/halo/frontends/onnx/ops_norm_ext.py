"""Training-mode BatchNormalization from reductions: normalization by the batch statistics, and the
updated running mean/variance outputs (population variance, as the ONNX definition)."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.ir.graph import Value
from halo.ir.ops import reduce as r
from halo.ir.ops import tensor as t


def batch_norm_training(n: OnnxNode, epsilon: float, momentum: float) -> None:
    x, scale, bias, mean, var = n.inputs()[:5]
    if x is None or scale is None or bias is None or mean is None or var is None:
        raise n.fail("needs X, scale, B, input_mean and input_var")
    axes = (0, *range(2, x.rank))
    per_channel = (1, x.shape[1]) + (1,) * (x.rank - 2)

    def channel(v: Value) -> Value:
        return n.tmp("Reshape", [v], t.Reshape(per_channel))

    def const(value: float) -> Value:
        return n.const_value(np.array(value, x.dtype.np), "c")

    batch_mean = n.tmp("ReduceMean", [x], r.Reduce(axes, True))
    centered = n.tmp("Sub", [x, batch_mean])
    batch_var = n.tmp("ReduceMean", [n.tmp("Mul", [centered, centered])], r.Reduce(axes, True))
    std = n.tmp("Sqrt", [n.tmp("Add", [batch_var, const(epsilon)])])
    y = n.tmp("Add", [n.tmp("Mul", [n.tmp("Div", [centered, std]), channel(scale)]), channel(bias)])
    outs = [y]
    for running, current in ((mean, batch_mean), (var, batch_var)):
        flat = n.tmp("Reshape", [current], t.Reshape((x.shape[1],)))
        outs.append(
            n.tmp(
                "Add",
                [
                    n.tmp("Mul", [running, const(momentum)]),
                    n.tmp("Mul", [flat, const(1.0 - momentum)]),
                ],
            )
        )
    for name, v in zip(n.proto.output, outs):
        if name:
            n.state.values[name] = v
