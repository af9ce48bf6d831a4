"""Elementwise semantics (ONNX definitions)."""

from __future__ import annotations

import math

import numpy as np

from halo.ir.ops import elementwise as ew
from halo.reference.registry import impl

_erf = np.vectorize(math.erf, otypes=[np.float64])

UNARY = {
    "Exp": np.exp,
    "Log": np.log,
    "Sqrt": np.sqrt,
    "Floor": np.floor,
    "Ceil": np.ceil,
    "Round": np.round,
    "Sin": np.sin,
    "Cos": np.cos,
    "Tan": np.tan,
    "Asin": np.arcsin,
    "Acos": np.arccos,
    "Atan": np.arctan,
    "Sinh": np.sinh,
    "Cosh": np.cosh,
    "Asinh": np.arcsinh,
    "Acosh": np.arccosh,
    "Atanh": np.arctanh,
    "Tanh": np.tanh,
    "Abs": np.abs,
    "Neg": np.negative,
    "Sign": np.sign,
    "Not": np.logical_not,
    "BitwiseNot": np.invert,
    "IsNaN": np.isnan,
    "Reciprocal": lambda x: 1 / x,
    "Rsqrt": lambda x: 1 / np.sqrt(x),
    "Erf": lambda x: _erf(x),
    "Relu": lambda x: np.maximum(x, 0),
    "Sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "Softplus": lambda x: np.logaddexp(0, x),
    "Softsign": lambda x: x / (1 + np.abs(x)),
    "HardSwish": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "Mish": lambda x: x * np.tanh(np.logaddexp(0, x)),
}

BINARY = {
    "Add": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "Max": np.maximum,
    "Min": np.minimum,
    "Equal": np.equal,
    "Less": np.less,
    "LessOrEqual": np.less_equal,
    "Greater": np.greater,
    "GreaterOrEqual": np.greater_equal,
    "And": np.logical_and,
    "Or": np.logical_or,
    "Xor": np.logical_xor,
    "BitwiseAnd": np.bitwise_and,
    "BitwiseOr": np.bitwise_or,
    "BitwiseXor": np.bitwise_xor,
}

for _name, _fn in UNARY.items():
    impl(_name)(lambda a, x, _fn=_fn: _fn(x))
for _name, _fn in BINARY.items():
    impl(_name)(lambda a, x, y, _fn=_fn: _fn(x, y))


@impl("Div")
def _div(a: object, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        q = np.abs(x) // np.where(y == 0, 1, np.abs(y))
        return (np.sign(x) * np.sign(y) * q).astype(x.dtype)  # C truncation
    return x / y


@impl("Pow")
def _pow(a: object, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        return np.power(x.astype(np.float64), y.astype(np.float64)).astype(x.dtype)
    return np.power(x, y.astype(x.dtype))


@impl("Mod")
def _mod(a: ew.Mod, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.fmod(x, y) if a.fmod else np.mod(x, y)


@impl("BitShift")
def _shift(a: ew.BitShift, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.left_shift(x, y) if a.left else np.right_shift(x, y)


@impl("PRelu")
def _prelu(a: object, x: np.ndarray, slope: np.ndarray) -> np.ndarray:
    return np.where(x < 0, x * slope, x)


@impl("IsInf")
def _isinf(a: ew.IsInf, x: np.ndarray) -> np.ndarray:
    return (np.isposinf(x) & a.detect_positive) | (np.isneginf(x) & a.detect_negative)


@impl("LeakyRelu")
def _leaky(a: ew.Alpha, x: np.ndarray) -> np.ndarray:
    return np.where(x < 0, x * a.alpha, x)


@impl("Elu")
def _elu(a: ew.Alpha, x: np.ndarray) -> np.ndarray:
    return np.where(x < 0, a.alpha * (np.exp(x) - 1), x)


@impl("Celu")
def _celu(a: ew.Alpha, x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.minimum(0, a.alpha * (np.exp(x / a.alpha) - 1))


@impl("ThresholdedRelu")
def _trelu(a: ew.Alpha, x: np.ndarray) -> np.ndarray:
    return np.where(x > a.alpha, x, 0)


@impl("Selu")
def _selu(a: ew.Selu, x: np.ndarray) -> np.ndarray:
    return a.gamma * np.where(x > 0, x, a.alpha * (np.exp(x) - 1))


@impl("HardSigmoid")
def _hsig(a: ew.HardSigmoid, x: np.ndarray) -> np.ndarray:
    return np.clip(a.alpha * x + a.beta, 0, 1)


@impl("Gelu")
def _gelu(a: ew.Gelu, x: np.ndarray) -> np.ndarray:
    if a.approximate:
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


@impl("Clip")
def _clip(a: ew.Clip, x: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(x, a.lo), a.hi)


@impl("Cast")
def _cast(a: ew.Cast, x: np.ndarray) -> np.ndarray:
    return x.astype(a.to.np)


@impl("Where")
def _where(a: object, c: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(c, x, y)
