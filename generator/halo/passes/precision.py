"""Reduced-precision weights (``--precision fp16|bf16``).

Rewrite: the float32 weight constant W of a Conv, ConvTranspose or Gemm (input 1; for a Gemm
also input 0 when A is the constant one) becomes the constant ``narrow(W)`` in float16 or
bfloat16 read through ``Cast(to=float32)``:

    Conv(x, W, b)  ->  Conv(x, Cast<float32>(narrow(W)), b)

so the weights object stores two bytes per weight, and every runtime sees a float32 operand whose
value is ``narrow(W)`` exactly (widening is exact). Runtimes convert such a Cast of a constant once,
when the computation is built; the oneDNN runtime instead feeds the bfloat16 weights to bf16
convolutions and matmuls (float32 accumulation and results) on CPUs with AVX512_BF16.
``narrow`` is the reference Cast: round to nearest even, as ONNX Runtime and oneDNN convert.

It must not fire on (the constant keeps its float32 data):

- a constant that is not float32 (int8 weights after ``--quantize``, float64, float16 already);
- a constant also read in another role (by an Add, as a Gemm's bias, as a graph output):
  narrowing it for the weight readers alone would store it twice and the weights would grow;
- a constant of fewer than ``min_elements`` elements: biases (Conv input 2, Gemm C) are never
  rewritten anyway (they are added after the float32 accumulation, hold one value per output
  channel, and oneDNN's bf16 kernels take float32 biases), and a weight under 256 elements would
  save under 512 bytes for a Cast (and, on dnnl, a bf16 conversion of the layer's input per call);
- a float16 narrowing of a weight with a finite value beyond float16's range (65504) or one that
  would lose every bit (below float16's smallest subnormal while non-zero, for more than a
  ``1e-3`` fraction of the tensor): float16 would change the model, bfloat16 has float32's range.

Run it after the optimization pipeline, never before constant folding (folding would widen the
constant back).
"""

from __future__ import annotations

import numpy as np

from halo.errors import OptionError
from halo.ir.dtype import DType
from halo.ir.graph import Graph, Node, Value, constant
from halo.ir.ops.elementwise import Cast
from halo.passes.base import Pass, Uses
from halo.reference import evaluate

PRECISIONS = {"fp32": DType.FLOAT32, "fp16": DType.FLOAT16, "bf16": DType.BFLOAT16}
MIN_ELEMENTS = 256  # smaller weights stay float32 (each would save under 512 bytes)
_WEIGHT_SLOTS = {"Conv": (1,), "ConvTranspose": (1,), "Gemm": (0, 1)}
_FP16_MAX = 65504.0
_FP16_TINY = 2.0**-25  # half the smallest float16 subnormal: anything below rounds to zero
_UNDERFLOW_FRACTION = 1e-3


def precision_dtype(precision: str) -> DType:
    """``--precision`` as the weights' element type."""
    try:
        return PRECISIONS[precision]
    except KeyError:
        raise OptionError(
            f"unknown --precision '{precision}'", hint="use " + ", ".join(PRECISIONS)
        ) from None


def fits(w: np.ndarray, dtype: DType) -> bool:
    """Whether ``w`` keeps its values' range in ``dtype`` (see the module docstring)."""
    if dtype is not DType.FLOAT16:
        return True
    finite = np.abs(w[np.isfinite(w)])
    if finite.size and float(finite.max()) > _FP16_MAX:
        return False
    lost = np.count_nonzero((finite > 0) & (finite < _FP16_TINY))
    return lost <= _UNDERFLOW_FRACTION * max(finite.size, 1)


class ReducedPrecision(Pass):
    """Conv/ConvTranspose/Gemm float32 weight constants -> Cast<float32>(float16|bfloat16)."""

    def __init__(self, dtype: DType, min_elements: int = MIN_ELEMENTS) -> None:
        if dtype not in (DType.FLOAT16, DType.BFLOAT16):
            raise ValueError(f"ReducedPrecision narrows to float16 or bfloat16, not {dtype}")
        self.dtype = dtype
        self.min_elements = min_elements
        self.narrowed: list[str] = []  # the rewritten constants' names, for tests and reports

    def run(self, graph: Graph) -> bool:
        uses = Uses(graph)
        outputs = {id(v) for v in graph.outputs}
        done: dict[int, Value] = {}  # id(float32 constant) -> its Cast's result
        names = {n.name for n in graph.nodes}
        for node in list(graph.nodes):
            for slot in _WEIGHT_SLOTS.get(node.op, ()):
                w = node.input(slot)
                if w is None or not self._eligible(w, uses, id(w) in outputs):
                    continue
                if id(w) not in done:
                    done[id(w)] = self._narrow(graph, w, names)
                node.inputs[slot] = done[id(w)]
        return bool(done)

    def _eligible(self, w: Value, uses: Uses, is_output: bool) -> bool:
        if not w.is_const or w.dtype is not DType.FLOAT32 or w.size < self.min_elements:
            return False
        if is_output or not all(_reads_as_weight(n, w) for n in uses.readers(w)):
            return False
        return fits(w.array, self.dtype)

    def _narrow(self, graph: Graph, w: Value, names: set[str]) -> Value:
        """Insert Cast<float32>(narrow(w)) before the first reader; returns the Cast's result."""
        suffix = "bf16" if self.dtype is DType.BFLOAT16 else "fp16"
        name = _unique(f"{w.name}_{suffix}", names)
        to_narrow = Node(name, "Cast", [w], [Value(name, self.dtype, w.shape)], Cast(self.dtype))
        (data,) = evaluate(to_narrow, [w.array])  # the reference Cast: one rounding rule
        narrow = constant(name, data)
        out = Value(f"{name}_float32", DType.FLOAT32, w.shape)
        cast = Node(name, "Cast", [narrow], [out], Cast(DType.FLOAT32))
        out.producer = cast
        first = next(i for i, n in enumerate(graph.nodes) if any(v is w for v in n.inputs))
        graph.nodes.insert(first, cast)
        self.narrowed.append(w.name)
        return out


def _reads_as_weight(node: Node, w: Value) -> bool:
    slots = _WEIGHT_SLOTS.get(node.op, ())
    return all(i in slots for i, v in enumerate(node.inputs) if v is w)


def _unique(base: str, names: set[str]) -> str:
    name, k = base, 1
    while name in names:
        name, k = f"{base}_{k}", k + 1
    names.add(name)
    return name
