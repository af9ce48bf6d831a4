"""The TFLite seed as plain data (so structured mutations can edit it) and a flatbuffer
writer for it, built with the flatbuffers package (no TensorFlow needed)."""

from __future__ import annotations

import numpy as np

Seed = dict[str, bytes]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def tflite_spec() -> dict:
    """The TFLite seed as plain data, so that structured mutations can edit it before building."""
    r = _rng(2)
    f32 = np.float32
    return {
        "buffers": [
            b"",
            r.standard_normal((4, 3, 3, 3)).astype(f32).tobytes(),
            np.zeros(4, f32).tobytes(),
            np.array([1, 64], np.int32).tobytes(),
            r.standard_normal((5, 64)).astype(f32).tobytes(),
            np.ones(5, f32).tobytes(),
            np.array([1, 0], np.int32).tobytes(),
        ],
        # name, shape, type (0 = FLOAT32, 2 = INT32), buffer
        "tensors": [
            ["x", [1, 8, 8, 3], 0, 0],
            ["w", [4, 3, 3, 3], 0, 1],
            ["b", [4], 0, 2],
            ["conv", [1, 8, 8, 4], 0, 0],
            ["pool", [1, 4, 4, 4], 0, 0],
            ["shape", [2], 2, 3],
            ["flat", [1, 64], 0, 0],
            ["fw", [5, 64], 0, 4],
            ["fb", [5], 0, 5],
            ["fc", [1, 5], 0, 0],
            ["perm", [2], 2, 6],
            ["tr", [5, 1], 0, 0],
            ["y", [5, 1], 0, 0],
        ],
        # opcode index, inputs, outputs, options type, option fields (slot, kind, value)
        "ops": [
            [0, [0, 1, 2], [3], 1, [[0, "b", 0], [1, "i", 1], [2, "i", 1], [3, "b", 1]]],
            [1, [3], [4], 5, [[0, "b", 1], [1, "i", 2], [2, "i", 2], [3, "i", 2], [4, "i", 2]]],
            [2, [4, 5], [6], 0, None],
            [3, [6, 7, 8], [9], 8, []],
            [4, [9, 10], [11], 26, []],
            [5, [11], [12], 9, []],
        ],
        "codes": [3, 17, 22, 9, 39, 25],  # CONV_2D MAX_POOL_2D RESHAPE FC TRANSPOSE SOFTMAX
        "inputs": [0],
        "outputs": [12],
    }


def build_tflite(spec: dict) -> bytes:
    """Serialize a spec from :func:`tflite_spec` (possibly edited) as a .tflite flatbuffer."""
    import flatbuffers

    b = flatbuffers.Builder(1024)

    def vec_i32(values: list[int]) -> int:
        b.StartVector(4, len(values), 4)
        for v in reversed(values):
            b.PrependInt32(v)
        return b.EndVector()

    def vec_off(offsets: list[int]) -> int:
        b.StartVector(4, len(offsets), 4)
        for o in reversed(offsets):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    def table(slots: int, fields: list[tuple[int, str, int]]) -> int:
        b.StartObject(slots)
        prepend = {
            "b": b.PrependInt8Slot,
            "B": b.PrependUint8Slot,
            "i": b.PrependInt32Slot,
            "I": b.PrependUint32Slot,
            "o": b.PrependUOffsetTRelativeSlot,
        }
        for slot, kind, v in fields:
            prepend[kind](slot, v, 0)
        return b.EndObject()

    buffers = [table(3, [(0, "o", b.CreateByteVector(d))] if d else []) for d in spec["buffers"]]
    tensors = []
    for name, shape, ttype, buf in spec["tensors"]:
        n, sh = b.CreateString(name), vec_i32(shape)
        tensors.append(table(8, [(0, "o", sh), (1, "b", ttype), (2, "I", buf), (3, "o", n)]))
    operators = []
    for code, ins, outs, otype, fields in spec["ops"]:
        opt = None if fields is None else table(8, [tuple(f) for f in fields])
        vi, vo = vec_i32(ins), vec_i32(outs)
        extra = [] if opt is None else [(3, "B", otype), (4, "o", opt)]
        operators.append(table(9, [(0, "I", code), (1, "o", vi), (2, "o", vo), *extra]))
    tv, ov = vec_off(tensors), vec_off(operators)
    si, so, sname = vec_i32(spec["inputs"]), vec_i32(spec["outputs"]), b.CreateString("main")
    subgraph = table(5, [(0, "o", tv), (1, "o", si), (2, "o", so), (3, "o", ov), (4, "o", sname)])
    codes = [table(4, [(0, "b", min(c, 127)), (2, "i", 1), (3, "i", c)]) for c in spec["codes"]]
    cv, sv, bv, desc = vec_off(codes), vec_off([subgraph]), vec_off(buffers), b.CreateString("s")
    b.Finish(
        table(5, [(0, "I", 3), (1, "o", cv), (2, "o", sv), (3, "o", desc), (4, "o", bv)]),
        file_identifier=b"TFL3",
    )
    return bytes(b.Output())


def tflite_seeds() -> list[Seed]:
    return [{"m.tflite": build_tflite(tflite_spec())}]
