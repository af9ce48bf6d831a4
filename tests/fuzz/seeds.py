"""Seed models for the fuzzer, built in code (fixed seeds, no framework runtime needed): each
frontend gets a few small models that touch its common converters. A seed is a dict of file
name -> bytes; the first file is the model, a second one (Caffe) holds the weights."""

from __future__ import annotations

import numpy as np
from seeds_tflite import Seed, build_tflite, tflite_seeds, tflite_spec

__all__ = ["SEEDS", "Seed", "build_tflite", "tflite_spec"]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---- ONNX ----------------------------------------------------------------------------------


def onnx_seeds() -> list[Seed]:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    r = _rng(0)
    f32 = np.float32

    def model(nodes: list, inputs: list, outputs: list, inits: dict, opset: int = 17) -> bytes:
        graph = helper.make_graph(
            nodes,
            "seed",
            inputs,
            outputs,
            [numpy_helper.from_array(v, k) for k, v in inits.items()],
        )
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8
        return m.SerializeToString()

    def vi(name: str, shape: list[int], t: int = TensorProto.FLOAT) -> onnx.ValueInfoProto:
        return helper.make_tensor_value_info(name, t, shape)

    cnn = model(
        [
            helper.make_node(
                "Conv",
                ["x", "w", "b"],
                ["c"],
                name="conv",
                pads=[1, 1, 1, 1],
                strides=[1, 1],
                kernel_shape=[3, 3],
            ),
            helper.make_node("Relu", ["c"], ["r"], name="relu"),
            helper.make_node(
                "MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]
            ),
            helper.make_node("AveragePool", ["p"], ["ap"], name="apool", kernel_shape=[1, 1]),
            helper.make_node("Flatten", ["ap"], ["f"], name="flat", axis=1),
            helper.make_node("Gemm", ["f", "fw", "fb"], ["g"], name="gemm", transB=1),
            helper.make_node("Softmax", ["g"], ["y"], name="softmax", axis=-1),
        ],
        [vi("x", [1, 3, 8, 8])],
        [vi("y", [1, 5])],
        {
            "w": r.standard_normal((4, 3, 3, 3)).astype(f32),
            "b": np.zeros(4, f32),
            "fw": r.standard_normal((5, 64)).astype(f32),
            "fb": np.ones(5, f32),
        },
    )
    tensor = model(
        [
            helper.make_node("Transpose", ["x"], ["t"], name="tr", perm=[0, 2, 3, 1]),
            helper.make_node("Reshape", ["t", "shape"], ["rs"], name="reshape"),
            helper.make_node("Concat", ["rs", "rs"], ["cc"], name="concat", axis=1),
            helper.make_node("Slice", ["cc", "starts", "ends", "axes"], ["sl"], name="slice"),
            helper.make_node("ReduceMean", ["sl"], ["rm"], name="mean", axes=[1], keepdims=1),
            helper.make_node("MatMul", ["rm", "mw"], ["mm"], name="matmul"),
            helper.make_node("Add", ["mm", "bias"], ["ad"], name="add"),
            helper.make_node("Gather", ["ad", "idx"], ["ga"], name="gather", axis=1),
            helper.make_node("Unsqueeze", ["ga", "uax"], ["us"], name="unsq"),
            helper.make_node("Split", ["us"], ["s0", "s1"], name="split", axis=-1),
            helper.make_node("Mul", ["s0", "s1"], ["y"], name="mul"),
        ],
        [vi("x", [1, 3, 4, 4])],
        [vi("y", [1, 1, 1, 1])],
        {
            "shape": np.array([1, 16, 3], np.int64),
            "starts": np.array([0], np.int64),
            "ends": np.array([20], np.int64),
            "axes": np.array([1], np.int64),
            "mw": r.standard_normal((3, 6)).astype(f32),
            "bias": np.ones(6, f32),
            "idx": np.array([0, 2], np.int64),
            "uax": np.array([0], np.int64),
        },
        opset=13,
    )
    norm = model(
        [
            helper.make_node("BatchNormalization", ["x", "s", "bb", "m", "v"], ["bn"], name="bn"),
            helper.make_node(
                "ConvTranspose",
                ["bn", "tw"],
                ["ct"],
                name="deconv",
                strides=[2, 2],
                kernel_shape=[2, 2],
            ),
            helper.make_node("Resize", ["ct", "", "scales"], ["rz"], name="resize", mode="nearest"),
            helper.make_node("Pad", ["rz", "pads"], ["pd"], name="pad"),
            helper.make_node("GlobalAveragePool", ["pd"], ["gp"], name="gap"),
            helper.make_node("Squeeze", ["gp", "sqax"], ["sq"], name="squeeze"),
            helper.make_node("LeakyRelu", ["sq"], ["lr"], name="lrelu", alpha=0.1),
            helper.make_node("Clip", ["lr", "lo", "hi"], ["y"], name="clip"),
        ],
        [vi("x", [1, 2, 3, 3])],
        [vi("y", [1, 2])],
        {
            "s": np.ones(2, f32),
            "bb": np.zeros(2, f32),
            "m": np.zeros(2, f32),
            "v": np.ones(2, f32),
            "tw": r.standard_normal((2, 2, 2, 2)).astype(f32),
            "scales": np.array([1, 1, 2, 2], f32),
            "pads": np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64),
            "sqax": np.array([2, 3], np.int64),
            "lo": np.array(-1, f32),
            "hi": np.array(1, f32),
        },
    )
    data = {"m.bin": bytes(range(256)) * 16}  # what external-data mutations point at
    return [{"m.onnx": cnn, **data}, {"m.onnx": tensor, **data}, {"m.onnx": norm, **data}]


# ---- TensorFlow GraphDef -------------------------------------------------------------------


def tf_seeds() -> list[Seed]:
    from tensorflow.core.framework import attr_value_pb2, graph_pb2, tensor_pb2, types_pb2

    r = _rng(1)
    g = graph_pb2.GraphDef()

    def const(name: str, a: np.ndarray) -> str:
        n = g.node.add(name=name, op="Const")
        code = types_pb2.DT_FLOAT if a.dtype == np.float32 else types_pb2.DT_INT32
        n.attr["dtype"].type = code
        t = tensor_pb2.TensorProto(dtype=code, tensor_content=a.tobytes())
        for d in a.shape:
            t.tensor_shape.dim.add(size=d)
        n.attr["value"].tensor.CopyFrom(t)
        return name

    def node(name: str, op: str, inputs: list[str], **attrs: attr_value_pb2.AttrValue) -> str:
        n = g.node.add(name=name, op=op, input=inputs)
        for k, v in attrs.items():
            n.attr[k].CopyFrom(v)
        return name

    def ints(*v: int) -> attr_value_pb2.AttrValue:
        return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=list(v)))

    def s(v: str) -> attr_value_pb2.AttrValue:
        return attr_value_pb2.AttrValue(s=v.encode())

    def i(v: int) -> attr_value_pb2.AttrValue:
        return attr_value_pb2.AttrValue(i=v)

    ft = attr_value_pb2.AttrValue(type=types_pb2.DT_FLOAT)
    it = attr_value_pb2.AttrValue(type=types_pb2.DT_INT32)
    ph = g.node.add(name="x", op="Placeholder")
    ph.attr["dtype"].type = types_pb2.DT_FLOAT
    for d in (1, 8, 8, 3):
        ph.attr["shape"].shape.dim.add(size=d)
    f32 = np.float32
    const("w", r.standard_normal((3, 3, 3, 4)).astype(f32))
    node(
        "conv",
        "Conv2D",
        ["x", "w"],
        T=ft,
        strides=ints(1, 1, 1, 1),
        padding=s("SAME"),
        data_format=s("NHWC"),
        dilations=ints(1, 1, 1, 1),
    )
    const("b", np.ones(4, f32))
    node("bias", "BiasAdd", ["conv", "b"], T=ft, data_format=s("NHWC"))
    node("relu", "Relu", ["bias"], T=ft)
    node(
        "pool",
        "MaxPool",
        ["relu"],
        T=ft,
        ksize=ints(1, 2, 2, 1),
        strides=ints(1, 2, 2, 1),
        padding=s("VALID"),
        data_format=s("NHWC"),
    )
    const("perm", np.array([0, 3, 1, 2], np.int32))
    node("tr", "Transpose", ["pool", "perm"], T=ft, Tperm=it)
    const("axis", np.array(1, np.int32))
    node("cat", "ConcatV2", ["tr", "tr", "axis"], T=ft, Tidx=it, N=i(2))
    const("shape", np.array([1, -1], np.int32))
    node("flat", "Reshape", ["cat", "shape"], T=ft, Tshape=it)
    const("fw", r.standard_normal((128, 5)).astype(f32))
    node(
        "mm",
        "MatMul",
        ["flat", "fw"],
        T=ft,
        transpose_a=attr_value_pb2.AttrValue(b=False),
        transpose_b=attr_value_pb2.AttrValue(b=False),
    )
    const("rax", np.array([1], np.int32))
    node("mean", "Mean", ["mm", "rax"], T=ft, Tidx=it, keep_dims=attr_value_pb2.AttrValue(b=True))
    node("sub", "Sub", ["mm", "mean"], T=ft)
    node("y", "Softmax", ["sub"], T=ft)
    return [{"m.pb": g.SerializeToString()}]


# ---- Caffe ---------------------------------------------------------------------------------


def caffe_seeds() -> list[Seed]:
    from google.protobuf import text_format
    from halo.frontends.caffe.proto import BlobProto, NetParameter

    r = _rng(3)
    net, weights = NetParameter(name="m"), NetParameter(name="m")

    def layer(
        type_: str,
        name: str,
        bottoms: list[str],
        params: str = "",
        blobs: tuple[np.ndarray, ...] = (),
        tops: list[str] | None = None,
    ) -> None:
        lay = net.layer.add(name=name, type=type_, bottom=bottoms, top=tops or [name])
        text_format.Merge(params, lay)
        stored = weights.layer.add()
        stored.CopyFrom(lay)
        for a in blobs:
            blob = BlobProto()
            blob.shape.dim.extend(int(d) for d in a.shape)
            blob.data.extend(a.astype(np.float32).reshape(-1).tolist())
            stored.blobs.append(blob)

    def randn(*shape: int) -> np.ndarray:
        return r.standard_normal(shape).astype(np.float32)

    layer("Input", "data", [], "input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }")
    layer(
        "Convolution",
        "conv",
        ["data"],
        "convolution_param { num_output: 4 kernel_size: 3 pad: 1 stride: 1 }",
        (randn(4, 3, 3, 3), randn(4)),
    )
    layer("BatchNorm", "bn", ["conv"], "", (randn(4), np.abs(randn(4)), np.ones(1)))
    layer("Scale", "scale", ["bn"], "scale_param { bias_term: true }", (randn(4), randn(4)))
    layer("ReLU", "relu", ["scale"])
    layer("Pooling", "pool", ["relu"], "pooling_param { pool: MAX kernel_size: 2 stride: 2 }")
    layer("Concat", "cat", ["pool", "pool"], "concat_param { axis: 1 }")
    layer("Permute", "perm", ["cat"], "permute_param { order: 0 order: 2 order: 3 order: 1 }")
    layer("Flatten", "flat", ["perm"])
    layer(
        "InnerProduct",
        "fc",
        ["flat"],
        "inner_product_param { num_output: 5 }",
        (randn(5, 128), randn(5)),
    )
    layer("Softmax", "prob", ["fc"])
    return [
        {
            "m.prototxt": text_format.MessageToString(net).encode(),
            "m.caffemodel": weights.SerializeToString(),
        }
    ]


SEEDS = {"onnx": onnx_seeds, "tensorflow": tf_seeds, "tflite": tflite_seeds, "caffe": caffe_seeds}
