"""Quantization parameters of TFLite tensors (affine: real = scale * (q - zero_point))."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from halo.errors import UnsupportedError
from halo.frontends.tflite.flatbuf import Table


@dataclass(frozen=True, eq=False)
class QuantParams:
    """Per-tensor (``axis`` None, one scale) or per-axis (one scale per index of ``axis``)."""

    scale: np.ndarray  # float32 [n]
    zero_point: np.ndarray  # int64 [n]
    axis: int | None
    min: np.ndarray | None = None  # float32, the calibration range when the converter kept it
    max: np.ndarray | None = None

    @property
    def per_axis(self) -> bool:
        return self.axis is not None

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        """float32 values of the quantized array ``q``."""
        shape = [1] * q.ndim
        if self.axis is not None:
            shape[self.axis] = -1
        scale = self.scale.reshape(shape).astype(np.float32)
        zero = self.zero_point.reshape(shape)
        return ((q.astype(np.int64) - zero).astype(np.float32) * scale).astype(np.float32)


def read_quant(t: Table, shape: tuple[int, ...]) -> QuantParams | None:
    """The QuantizationParameters table of a tensor; None when it carries no scale."""
    if t.slot_pos(4) is not None and int(t.scalar(4, "B", 0)) != 0:
        raise UnsupportedError(f"{t.where}: custom or blockwise quantization is not supported")
    scale = t.array(2, "f4", "scale")
    lo, hi = t.array(0, "f4", "min"), t.array(1, "f4", "max")
    if scale is None or scale.size == 0:
        return None
    zero = t.array(3, "i8", "zero_point")
    zero = np.zeros(scale.size, np.int64) if zero is None or zero.size == 0 else zero
    if zero.size != scale.size:
        raise t.error(f"{scale.size} scales but {zero.size} zero points")
    if not np.all(np.isfinite(scale)):
        raise t.error("a quantization scale is not finite")
    axis = None
    if scale.size > 1:
        axis = int(t.scalar(6, "i", 0))
        if not 0 <= axis < len(shape) or shape[axis] != scale.size:
            raise t.error(
                f"{scale.size} per-axis scales do not match quantized_dimension {axis} "
                f"of shape {list(shape)}"
            )
    return QuantParams(scale, zero, axis, lo, hi)
