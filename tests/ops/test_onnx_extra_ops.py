"""Converters added for the ONNX conformance suite (recurrent cells, control flow, Einsum, indexed
scatter/gather, sampling, signal ops, MaxPool indices, quantized matmul), on shapes and attributes
the backend node tests do not cover: HALO (reference runtime) vs ONNX Runtime, or the ONNX
reference evaluator where ONNX Runtime lacks the op."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from onnx import helper
from onnx.reference import ReferenceEvaluator

from onnx_util import assert_close, halo_run, make_model, ort_run

pytestmark = pytest.mark.ops
R = np.random.default_rng(4321)


def f32(*shape: int) -> np.ndarray:
    return R.uniform(-1, 1, shape).astype(np.float32)


@dataclass
class Case:
    id: str
    op: str
    inputs: dict[str, np.ndarray]
    attrs: dict = field(default_factory=dict)
    inits: dict[str, np.ndarray] = field(default_factory=dict)
    opset: int = 21
    outs: int = 1
    oracle: str = "ort"  # or "onnx": the ONNX reference evaluator
    rtol: float = 1e-4
    atol: float = 1e-5

    def model(self):
        outs = [f"y{i}" for i in range(self.outs)]
        node = helper.make_node(self.op, [*self.inputs, *self.inits], outs, **self.attrs)
        return make_model([node], self.inputs, outs, self.inits, self.opset, name="x_" + self.id.replace("-", "_"))


def _rnn_cases() -> list[Case]:
    seq, batch, inp, hid = 4, 3, 5, 6
    lens = np.array([4, 2, 3], np.int32)
    out = []
    for kind, gates in (("RNN", 1), ("GRU", 3), ("LSTM", 4)):
        inits = {"W": f32(2, gates * hid, inp), "R": f32(2, gates * hid, hid), "B": f32(2, 2 * gates * hid),
                 "L": lens, "H0": f32(2, batch, hid)}
        attrs = {"hidden_size": hid, "direction": "bidirectional"}
        if kind == "GRU":
            attrs["linear_before_reset"] = 1
        out.append(Case(f"{kind.lower()}-seqlens", kind, {"X": f32(seq, batch, inp)}, attrs, inits, outs=2))
    out.append(Case("lstm-clip-acts", "LSTM", {"X": f32(3, 2, 4)},
                    {"hidden_size": 3, "clip": 0.5, "activations": ["HardSigmoid", "Tanh", "Softsign"]},
                    {"W": f32(1, 12, 4), "R": f32(1, 12, 3)}, outs=3))
    return out


CASES = [
    *_rnn_cases(),
    Case("einsum-attention", "Einsum", {"q": f32(2, 3, 4, 5), "k": f32(2, 3, 6, 5)}, {"equation": "bhqd,bhkd->bhqk"}),
    Case("einsum-ellipsis-broadcast", "Einsum", {"a": f32(2, 3, 4), "b": f32(1, 4, 5)},
         {"equation": "...ij,...jk->...ik"}),
    Case("einsum-three", "Einsum", {"a": f32(2, 3), "b": f32(3, 4), "c": f32(4)}, {"equation": "ij,jk,k->i"}),
    Case("einsum-trace", "Einsum", {"a": f32(3, 4, 4)}, {"equation": "bii->b"}),
    Case("maxpool-indices-dilated-ceil", "MaxPool", {"x": f32(2, 3, 9, 8)},
         {"kernel_shape": [3, 2], "strides": [2, 2], "dilations": [2, 1], "pads": [1, 0, 1, 1], "ceil_mode": 1},
         outs=2),
    Case("maxpool-indices-3d", "MaxPool", {"x": f32(1, 2, 5, 4, 6)}, {"kernel_shape": [2, 2, 3], "strides": [1, 2, 2]},
         outs=2),
    Case("gathernd-batch", "GatherND", {"x": f32(2, 3, 4, 5)}, {"batch_dims": 1},
         {"i": np.array([[[0, 1], [2, -1]], [[1, 3], [0, 0]]], np.int64)}),
    Case("scatternd-add", "ScatterND", {"x": f32(4, 3, 2)}, {"reduction": "add"},
         {"i": np.array([[1], [3], [1]], np.int64), "u": f32(3, 3, 2)}),
    Case("scatter-elements-max", "ScatterElements", {"x": f32(3, 5)}, {"axis": 1, "reduction": "max"},
         {"i": np.array([[0, 4, 4], [1, 1, 2], [3, 0, -1]], np.int64), "u": f32(3, 3)}),
    Case("trilu-lower-batch", "Trilu", {"x": f32(2, 4, 6)}, {"upper": 0}, {"k": np.array(-1, np.int64)}),
    Case("gridsample-bicubic-border", "GridSample", {"x": f32(2, 3, 5, 6), "g": f32(2, 4, 7, 2) * 1.3},
         {"mode": "cubic", "padding_mode": "border"}, oracle="onnx"),  # ORT differs from the ONNX reference here
    Case("gridsample-linear-reflect", "GridSample", {"x": f32(1, 2, 4, 5), "g": f32(1, 3, 3, 2) * 1.6},
         {"mode": "linear", "padding_mode": "reflection", "align_corners": 1}),
    Case("roialign-adaptive", "RoiAlign", {"x": f32(2, 3, 12, 10)},
         {"output_height": 3, "output_width": 4, "spatial_scale": 0.5},
         {"rois": np.array([[1, 2, 14, 18], [0, 0, 7, 5]], np.float32), "bi": np.array([1, 0], np.int64)}),
    Case("dft-complex-length", "DFT", {"x": f32(2, 7, 2)}, {"inverse": 0},
         {"n": np.array(9, np.int64), "axis": np.array(1, np.int64)}, opset=20, rtol=1e-3, atol=1e-4),
    Case("col2im-3d", "Col2Im", {"x": f32(2, 3 * 8, 12)}, {"strides": [1, 2, 2]},
         {"img": np.array([3, 5, 6], np.int64), "blk": np.array([2, 2, 2], np.int64)}, oracle="onnx"),
    Case("lppool-p3-ceil", "LpPool", {"x": f32(1, 2, 7, 7)},
         {"kernel_shape": [3, 3], "strides": [2, 2], "p": 3, "ceil_mode": 1}, opset=18, oracle="onnx", rtol=1e-3),
    Case("resize-antialias-cubic", "Resize", {"x": f32(1, 2, 12, 10)},
         {"mode": "cubic", "antialias": 1},
         {"roi": np.zeros(0, np.float32), "scales": np.array([1, 1, 0.4, 0.6], np.float32)}, opset=18, rtol=1e-3),
    Case("deform-conv-groups", "DeformConv", {"x": f32(1, 4, 6, 6), "w": f32(6, 2, 3, 3), "off": f32(1, 36, 4, 4)},
         {"group": 2, "offset_group": 2}, {"b": f32(6), "m": np.abs(f32(1, 18, 4, 4))}, opset=22, oracle="onnx"),
    Case("cumprod-reverse-exclusive", "CumProd", {"x": f32(3, 5)}, {"reverse": 1, "exclusive": 1},
         {"axis": np.array(1, np.int64)}, opset=26, oracle="onnx"),
    Case("tfidf-weighted-skips", "TfIdfVectorizer", {"x": np.array([[2, 3, 5, 4, 5, 6, 7, 8], [5, 6, 2, 3, 3, 4, 4, 5]],
                                                               np.int64)},
         {"mode": "TFIDF", "min_gram_length": 1, "max_gram_length": 3, "max_skip_count": 2,
          "ngram_counts": [0, 4, 10], "ngram_indexes": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
          "pool_int64s": [2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 2, 3, 4, 5, 6, 7, 4, 5, 6],
          "weights": [0.1 * i for i in range(13)]}, opset=17),
    Case("qlinearmatmul-uint8", "QLinearMatMul",
         {"a": R.integers(0, 255, (3, 5), dtype=np.uint8)}, {},
         {"as": np.array(0.02, np.float32), "az": np.array(7, np.uint8),
          "b": R.integers(0, 255, (5, 4), dtype=np.uint8), "bs": np.array(0.03, np.float32),
          "bz": np.array(130, np.uint8), "ys": np.array(0.5, np.float32), "yz": np.array(10, np.uint8)}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_extra_op_matches_oracle(case: Case, runtime: str, tmp_path) -> None:
    model = case.model()
    feeds = case.inputs
    if case.oracle == "ort":
        expected = ort_run(model, feeds)
    else:
        expected = ReferenceEvaluator(model).run(None, feeds)
    assert_close(halo_run(model, feeds, tmp_path, runtime), expected, case.rtol, case.atol)


def _loop_model(trips: int):
    """Loop that appends i * x to a running sum and scans the partial sums."""
    body = helper.make_graph(
        [helper.make_node("Cast", ["i"], ["fi"], to=1),
         helper.make_node("Mul", ["fi", "x"], ["ix"]),
         helper.make_node("Add", ["s_in", "ix"], ["s_out"]),
         helper.make_node("Identity", ["c_in"], ["c_out"]),
         helper.make_node("Identity", ["s_out"], ["scan"])],
        "body",
        [helper.make_tensor_value_info("i", 7, []), helper.make_tensor_value_info("c_in", 9, []),
         helper.make_tensor_value_info("s_in", 1, [3])],
        [helper.make_tensor_value_info("c_out", 9, []), helper.make_tensor_value_info("s_out", 1, [3]),
         helper.make_tensor_value_info("scan", 1, [3])])
    node = helper.make_node("Loop", ["M", "", "s0"], ["y0", "y1"], body=body)
    return make_model([node], {"x": f32(3), "s0": f32(3)}, ["y0", "y1"],
                      {"M": np.array(trips, np.int64)}, opset=17, name="loop")


def test_loop_unrolled_matches_onnxruntime(tmp_path) -> None:
    model = _loop_model(4)
    feeds = {"x": f32(3), "s0": f32(3)}
    assert_close(halo_run(model, feeds, tmp_path), ort_run(model, feeds))
