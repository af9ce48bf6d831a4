"""Structured mutations of protobuf graphs: ONNX ModelProto and TensorFlow GraphDef."""

from __future__ import annotations

import numpy as np
from mutate import Rng, interesting, mutate_bytes, pick
from seeds import Seed

# ---- ONNX ----------------------------------------------------------------------------------


def _onnx_attr(rng: Rng, name: str) -> object:
    from onnx import helper, numpy_helper

    kind = int(rng.integers(9))
    if kind == 0:
        return helper.make_attribute(name, interesting(rng) % (2**63))
    if kind == 1:
        return helper.make_attribute(name, [interesting(rng) % (2**62) for _ in range(3)])
    if kind == 2:
        return helper.make_attribute(name, float("nan") if rng.random() < 0.3 else 1e30)
    if kind == 3:
        a = helper.make_attribute(name, "x")
        a.s = b"\xff\xfe\x80"  # not UTF-8
        return a
    if kind == 4:
        return helper.make_attribute(name, numpy_helper.from_array(np.ones((2, 2), np.float32)))
    if kind == 5:
        values = numpy_helper.from_array(np.ones(1, np.float32))
        idx = numpy_helper.from_array(np.zeros(1, np.int64))
        return helper.make_attribute(name, helper.make_sparse_tensor(values, idx, [4]))
    if kind == 6:
        return helper.make_attribute(name, ["a", "b"])
    if kind == 7:
        return helper.make_attribute(name, [interesting(rng) % (2**62)] * int(rng.integers(1, 70)))
    return helper.make_attribute(name, [0.5, 1.5])


def mutate_onnx(seed: Seed, rng: Rng) -> Seed:
    import onnx

    name = next(iter(seed))
    m = onnx.ModelProto.FromString(seed[name])
    g = m.graph
    node = g.node[int(rng.integers(len(g.node)))]
    names = [t.name for t in g.initializer] + [i for n in g.node for i in n.output] + ["", "nope"]
    kind = int(rng.integers(12))
    if kind == 0 and node.attribute:  # an attribute changes type or value
        i = int(rng.integers(len(node.attribute)))
        old = node.attribute[i].name
        node.attribute[i].CopyFrom(_onnx_attr(rng, old))
    elif kind == 1:  # an attribute appears
        attr = _onnx_attr(
            rng,
            str(
                pick(
                    rng,
                    [
                        "kernel_shape",
                        "strides",
                        "pads",
                        "axis",
                        "perm",
                        "dilations",
                        "group",
                        "axes",
                        "keepdims",
                    ],
                )
            ),
        )
        del node.attribute[:]
        node.attribute.append(attr)  # type: ignore[arg-type]
    elif kind == 2:  # an input is dropped, emptied or rewired
        if node.input:
            i = int(rng.integers(len(node.input)))
            if rng.random() < 0.4:
                del node.input[i:]
            else:
                node.input[i] = str(pick(rng, names))
    elif kind == 3:  # an extra input
        node.input.append(str(pick(rng, names)))
    elif kind == 4:  # another op type on the same edges
        node.op_type = str(
            pick(
                rng,
                sorted(
                    {n.op_type for n in g.node}
                    | {
                        "Conv",
                        "MaxPool",
                        "MatMul",
                        "Gemm",
                        "Transpose",
                        "Concat",
                        "ReduceSum",
                        "Slice",
                        "Gather",
                        "Expand",
                        "Tile",
                        "Reshape",
                        "LSTM",
                        "Einsum",
                        "Resize",
                        "Softmax",
                        "TopK",
                    }
                ),
            )
        )
    elif kind == 5 and g.initializer:  # initializer dims / dtype / data
        t = g.initializer[int(rng.integers(len(g.initializer)))]
        if rng.random() < 0.5 and t.dims:
            t.dims[int(rng.integers(len(t.dims)))] = interesting(rng) % (2**62)
        elif rng.random() < 0.5:
            t.data_type = int(rng.integers(0, 24))
        else:
            t.raw_data = t.raw_data[: len(t.raw_data) // 2]
    elif kind == 6:  # graph input dims / rank / type
        dims = g.input[0].type.tensor_type.shape.dim
        if rng.random() < 0.3:
            for _ in range(int(rng.integers(1, 70))):
                dims.add(dim_value=1)
        elif dims:
            dims[int(rng.integers(len(dims)))].dim_value = interesting(rng) % (2**62)
        else:
            g.input[0].type.tensor_type.elem_type = int(rng.integers(0, 24))
    elif kind == 7:  # opset / domain
        if rng.random() < 0.5:
            m.opset_import[0].version = int(pick(rng, [0, 1, 6, 7, 9, 11, 99, 2**40]))
        else:
            node.domain = str(pick(rng, ["com.microsoft", "ai.onnx.ml", "x", "ai.onnx"]))
    elif kind == 8 and g.initializer:  # external data with hostile entries
        t = g.initializer[int(rng.integers(len(g.initializer)))]
        t.data_location = onnx.TensorProto.EXTERNAL
        del t.external_data[:]
        entries = {
            "location": str(pick(rng, ["m.bin", "../x", "/etc/passwd", "a\0b", "."])),
            "offset": str(pick(rng, ["0", "abc", "-4", str(2**40)])),
            "length": str(pick(rng, ["4", str(8 << 30), "-1", "x"])),
        }
        for k, v in entries.items():
            if rng.random() < 0.8:
                t.external_data.add(key=k, value=v)
    elif kind == 9:  # a node moves (graph edges out of order) or is duplicated
        i = int(rng.integers(len(g.node)))
        copy_node = onnx.NodeProto()
        copy_node.CopyFrom(g.node[i])
        g.node.insert(int(rng.integers(len(g.node) + 1)), copy_node)
    elif kind == 10:  # output names
        node.output[0] = str(pick(rng, names))
    else:
        return {**seed, name: mutate_bytes(seed[name], rng)}
    return {**seed, name: m.SerializeToString()}


# ---- TensorFlow ----------------------------------------------------------------------------


def _tf_attr(rng: Rng) -> object:
    from tensorflow.core.framework import attr_value_pb2, tensor_pb2

    av = attr_value_pb2.AttrValue
    kind = int(rng.integers(7))
    if kind == 0:
        return av(i=interesting(rng) % (2**63))
    if kind == 1:
        return av(
            list=av.ListValue(
                i=[interesting(rng) % (2**62) for _ in range(int(rng.integers(0, 6)))]
            )
        )
    if kind == 2:
        return av(s=bytes(rng.integers(0, 256, 4).astype(np.uint8)))
    if kind == 3:
        return av(type=int(rng.integers(0, 30)))
    if kind == 4:
        return av(f=1e30)
    if kind == 5:
        return av(b=True)
    t = tensor_pb2.TensorProto(dtype=1)
    t.tensor_shape.dim.add(size=2**31)
    return av(tensor=t)


def mutate_tf(seed: Seed, rng: Rng) -> Seed:
    from tensorflow.core.framework import graph_pb2

    name = next(iter(seed))
    g = graph_pb2.GraphDef.FromString(seed[name])
    node = g.node[int(rng.integers(len(g.node)))]
    names = [n.name for n in g.node] + ["nope", "x:7", "^x", ""]
    kind = int(rng.integers(9))
    if kind == 0 and node.attr:  # an attribute changes type or value
        key = str(pick(rng, sorted(node.attr)))
        node.attr[key].CopyFrom(_tf_attr(rng))
    elif kind == 1:  # a Const's tensor shape / dtype
        consts = [n for n in g.node if n.op == "Const"]
        c = consts[int(rng.integers(len(consts)))]
        t = c.attr["value"].tensor
        if rng.random() < 0.5 and t.tensor_shape.dim:
            t.tensor_shape.dim[int(rng.integers(len(t.tensor_shape.dim)))].size = interesting(
                rng
            ) % (2**62)
        elif rng.random() < 0.5:
            t.tensor_content = t.tensor_content[: len(t.tensor_content) // 3]
        else:
            t.dtype = int(rng.integers(0, 30))
    elif kind == 2 and node.input:  # an input is dropped or rewired
        i = int(rng.integers(len(node.input)))
        if rng.random() < 0.4:
            del node.input[i:]
        else:
            node.input[i] = str(pick(rng, names))
    elif kind == 3:
        node.input.append(str(pick(rng, names)))
    elif kind == 4:  # another op type
        node.op = str(
            pick(
                rng,
                [
                    "Concat",
                    "ConcatV2",
                    "Conv2D",
                    "MaxPool",
                    "Transpose",
                    "Reshape",
                    "StridedSlice",
                    "Pack",
                    "Split",
                    "MatMul",
                    "Tile",
                    "GatherV2",
                    "Pad",
                    "Mean",
                    "Fill",
                    "Range",
                    "Slice",
                ],
            )
        )
    elif kind == 5:  # placeholder shape
        ph = next(n for n in g.node if n.op == "Placeholder")
        dims = ph.attr["shape"].shape.dim
        if rng.random() < 0.3:
            for _ in range(int(rng.integers(1, 70))):
                dims.add(size=1)
        elif dims:
            dims[int(rng.integers(len(dims)))].size = interesting(rng) % (2**62)
    elif kind == 6:  # a Const's values (axes, perms, shapes)
        consts = [n for n in g.node if n.op == "Const" and n.attr["dtype"].type == 3]
        c = consts[int(rng.integers(len(consts)))]
        t = c.attr["value"].tensor
        arr = np.frombuffer(t.tensor_content, np.int32).copy()
        if arr.size:
            arr[int(rng.integers(arr.size))] = (interesting(rng) + 2**31) % 2**32 - 2**31
            t.tensor_content = arr.tobytes()
    elif kind == 7:  # a duplicated node name
        node.name = str(pick(rng, names))
    else:
        return {name: mutate_bytes(seed[name], rng)}
    return {name: g.SerializeToString()}
