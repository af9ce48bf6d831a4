"""Structured mutations of TFLite specs (rebuilt as flatbuffers) and Caffe prototxt/caffemodel."""

from __future__ import annotations

import copy
import re

import numpy as np
from mutate import Rng, interesting, mutate_bytes, pick
from seeds import Seed, build_tflite, tflite_spec

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
            t[1] = [1] * int(pick(rng, [0, 1, 3, 5, 65, 100]))
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
            op[4][int(rng.integers(len(op[4])))][2] = int(pick(rng, [0, -1, 7, 100, 2**30]))
        elif kind == 5:  # options type / builtin code
            if rng.random() < 0.5:
                op[3] = int(rng.integers(0, 60))
            else:
                spec["codes"][int(rng.integers(len(spec["codes"])))] = int(rng.integers(0, 162))
        elif kind == 6:  # buffer contents (perm, shape)
            i = int(pick(rng, [3, 6]))
            arr = np.frombuffer(spec["buffers"][i], np.int32).copy()
            arr[int(rng.integers(arr.size))] = int(pick(rng, [-5, -1, 0, 2, 5, 2**30]))
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
        word = pick(
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
