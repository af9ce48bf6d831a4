"""Mutations of seed models: byte-level (flips, interesting integers, truncation, splices) and
structured edits per format (dims, dtypes, indices, attribute types, graph edges). Every choice
comes from the ``rng`` passed in, so a mutant is reproducible from (seed, iteration)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import numpy as np
from seeds import Seed, build_tflite, tflite_spec

Rng = np.random.Generator
INTERESTING = [
    0,
    1,
    -1,
    2,
    3,
    7,
    64,
    65,
    100,
    255,
    256,
    -128,
    2**15,
    2**16,
    2**31 - 1,
    -(2**31),
    2**31,
    2**32 - 1,
    2**32,
    2**40,
    2**62,
    2**63 - 1,
    -(2**63),
    4294967296,
]


def interesting(rng: Rng) -> int:
    return int(INTERESTING[rng.integers(len(INTERESTING))])


def _pick(rng: Rng, seq: list) -> object:
    return seq[int(rng.integers(len(seq)))]


# ---- bytes ---------------------------------------------------------------------------------


def flip_bytes(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    for pos in rng.integers(0, len(out), int(rng.integers(1, 5))):
        out[pos] = int(rng.integers(256))
    return bytes(out)


def put_integer(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    width = int(_pick(rng, [1, 2, 4, 8]))
    if len(out) <= width:
        return bytes(out)
    pos = int(rng.integers(0, len(out) - width)) & ~(width - 1 if rng.random() < 0.7 else 0)
    value = interesting(rng) & ((1 << (8 * width)) - 1)
    out[pos : pos + width] = value.to_bytes(width, "little")
    return bytes(out)


def truncate(data: bytes, rng: Rng) -> bytes:
    return data[: int(rng.integers(0, len(data)))]


def splice(data: bytes, rng: Rng) -> bytes:
    a, b = sorted(int(x) for x in rng.integers(0, len(data), 2))
    if rng.random() < 0.5:
        return data[:a] + data[b:]  # delete a chunk
    return data[:b] + data[a:b] + data[b:]  # duplicate a chunk


BYTE_MUTATIONS = [flip_bytes, put_integer, truncate, splice]


def mutate_bytes(data: bytes, rng: Rng) -> bytes:
    return _pick(rng, BYTE_MUTATIONS)(data, rng) if data else data  # type: ignore[operator]


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
                _pick(
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
                node.input[i] = str(_pick(rng, names))
    elif kind == 3:  # an extra input
        node.input.append(str(_pick(rng, names)))
    elif kind == 4:  # another op type on the same edges
        node.op_type = str(
            _pick(
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
            m.opset_import[0].version = int(_pick(rng, [0, 1, 6, 7, 9, 11, 99, 2**40]))
        else:
            node.domain = str(_pick(rng, ["com.microsoft", "ai.onnx.ml", "x", "ai.onnx"]))
    elif kind == 8 and g.initializer:  # external data with hostile entries
        t = g.initializer[int(rng.integers(len(g.initializer)))]
        t.data_location = onnx.TensorProto.EXTERNAL
        del t.external_data[:]
        entries = {
            "location": str(_pick(rng, ["m.bin", "../x", "/etc/passwd", "a\0b", "."])),
            "offset": str(_pick(rng, ["0", "abc", "-4", str(2**40)])),
            "length": str(_pick(rng, ["4", str(8 << 30), "-1", "x"])),
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
        node.output[0] = str(_pick(rng, names))
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
        key = str(_pick(rng, sorted(node.attr)))
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
            node.input[i] = str(_pick(rng, names))
    elif kind == 3:
        node.input.append(str(_pick(rng, names)))
    elif kind == 4:  # another op type
        node.op = str(
            _pick(
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
        node.name = str(_pick(rng, names))
    else:
        return {name: mutate_bytes(seed[name], rng)}
    return {name: g.SerializeToString()}


# ---- TFLite --------------------------------------------------------------------------------


def mutate_tflite(seed: Seed, rng: Rng) -> Seed:
    name = next(iter(seed))
    if rng.random() < 0.4:
        return {name: mutate_bytes(seed[name], rng)}
    spec = copy.deepcopy(tflite_spec())
    for _ in range(int(rng.integers(1, 3))):
        kind = int(rng.integers(8))
        t = spec["tensors"][int(rng.integers(len(spec["tensors"])))]
        op = spec["ops"][int(rng.integers(len(spec["ops"])))]
        if kind == 0 and t[1]:  # a dim
            t[1][int(rng.integers(len(t[1])))] = interesting(rng) % (2**31)
        elif kind == 1:  # rank
            t[1] = [1] * int(_pick(rng, [0, 1, 3, 5, 65, 100]))
        elif kind == 2:  # dtype / buffer
            if rng.random() < 0.5:
                t[2] = int(rng.integers(0, 22))
            else:
                t[3] = int(rng.integers(0, len(spec["buffers"]) + 1))
        elif kind == 3:  # operator operands
            lst = op[1] if rng.random() < 0.7 else op[2]
            if lst and rng.random() < 0.5:
                lst[int(rng.integers(len(lst)))] = int(rng.integers(-1, len(spec["tensors"])))
            elif lst:
                lst.pop()
            else:
                lst.append(0)
        elif kind == 4 and op[4]:  # an option value (strides, filters, padding, activation)
            op[4][int(rng.integers(len(op[4])))][2] = int(_pick(rng, [0, -1, 7, 100, 2**30]))
        elif kind == 5:  # options type / builtin code
            if rng.random() < 0.5:
                op[3] = int(rng.integers(0, 60))
            else:
                spec["codes"][int(rng.integers(len(spec["codes"])))] = int(rng.integers(0, 162))
        elif kind == 6:  # buffer contents (perm, shape)
            i = int(_pick(rng, [3, 6]))
            arr = np.frombuffer(spec["buffers"][i], np.int32).copy()
            arr[int(rng.integers(arr.size))] = int(_pick(rng, [-5, -1, 0, 2, 5, 2**30]))
            spec["buffers"][i] = arr.tobytes()
        else:  # graph inputs / outputs
            spec["outputs"] = [int(rng.integers(0, len(spec["tensors"])))]
    return {name: build_tflite(spec)}


# ---- Caffe ---------------------------------------------------------------------------------


_NUMBER = re.compile(rb"(?<=: )-?\d+(\.\d+)?")
_WORD = re.compile(rb'(?<=: )"?[A-Za-z_]+"?')


def mutate_caffe(seed: Seed, rng: Rng) -> Seed:
    proto, weights = list(seed)
    out = dict(seed)
    kind = int(rng.integers(6))
    text = seed[proto]
    if kind <= 1:  # a number in the prototxt (dims, kernel sizes, strides, axes, orders)
        spots = list(_NUMBER.finditer(text))
        m = spots[int(rng.integers(len(spots)))]
        value = str(interesting(rng) if kind == 0 else int(rng.integers(-3, 10))).encode()
        out[proto] = text[: m.start()] + value + text[m.end() :]
    elif kind == 2:  # a word (layer types, bottoms, pooling methods)
        spots = list(_WORD.finditer(text))
        m = spots[int(rng.integers(len(spots)))]
        word = _pick(
            rng,
            [
                b'"Concat"',
                b'"Permute"',
                b'"Reshape"',
                b'"Slice"',
                b'"Eltwise"',
                b'"Deconvolution"',
                b'"nope"',
                b'"data"',
                b"AVE",
                b'"Crop"',
            ],
        )
        out[proto] = text[: m.start()] + word + text[m.end() :]  # type: ignore[operator]
    elif kind == 3:  # a blob shape in the caffemodel
        from halo.frontends.caffe.proto import NetParameter

        net = NetParameter.FromString(seed[weights])
        layers = [lay for lay in net.layer if lay.blobs]
        lay = layers[int(rng.integers(len(layers)))]
        blob = lay.blobs[int(rng.integers(len(lay.blobs)))]
        if blob.shape.dim:
            blob.shape.dim[int(rng.integers(len(blob.shape.dim)))] = interesting(rng) % (2**62)
        if rng.random() < 0.3:
            del blob.data[len(blob.data) // 2 :]
        out[weights] = net.SerializeToString()
    elif kind == 4:
        out[weights] = mutate_bytes(seed[weights], rng)
    else:
        out[proto] = mutate_bytes(text, rng)
    return out


MUTATORS: dict[str, Callable[[Seed, Rng], Seed]] = {
    "onnx": mutate_onnx,
    "tensorflow": mutate_tf,
    "tflite": mutate_tflite,
    "caffe": mutate_caffe,
}
