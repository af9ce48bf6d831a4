"""The one place that formats C/C++ tokens: identifiers, literals, shapes, value types."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from halo.ir.dtype import DType

_IDENT_BAD = re.compile(r"[^A-Za-z0-9_]")

# Words a generated identifier must not be: the keywords of C99 and C++17, C++'s alternative
# tokens, and `main` (a model or parameter of that name would clash with the program's main).
RESERVED = frozenset(
    "alignas alignof and and_eq asm auto bitand bitor bool break case catch char char16_t "
    "char32_t class compl const const_cast constexpr continue decltype default delete do double "
    "dynamic_cast else enum explicit export extern false float for friend goto if inline int long "
    "main mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected "
    "public register reinterpret_cast restrict return short signed sizeof static static_assert "
    "static_cast struct switch template this thread_local throw true try typedef typeid typename "
    "union unsigned using virtual void volatile wchar_t while xor xor_eq _Bool _Complex "
    "_Imaginary".split()
)


def ident(name: str) -> str:
    """A C identifier derived from ``name`` (uniqueness is the caller's job)."""
    s = _IDENT_BAD.sub("_", name)
    return s if s and not s[0].isdigit() else f"_{s}"


def string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("".join(f"\\{b:03o}" for b in ch.encode()))
    return '"' + "".join(out) + '"'


def f32(x: float) -> str:
    # GCC's and Clang's builtins need no header (<cmath> costs a third of a model's compile time).
    if math.isnan(x):
        return '__builtin_nanf("")'
    if math.isinf(x):
        return "__builtin_inff()" if x > 0 else "-__builtin_inff()"
    text = repr(float(x))
    return (text if ("." in text or "e" in text) else text + ".0") + "f"


def integer(x: int) -> str:
    return f"{int(x)}"


def boolean(x: bool) -> str:
    return "1" if x else "0"


def int_list(values: Iterable[int]) -> str:
    return "{" + ", ".join(integer(v) for v in values) + "}"


def float_list(values: Iterable[float]) -> str:
    return "{" + ", ".join(f32(v) for v in values) + "}"


def shape(dims: Sequence[int]) -> str:
    """An ``odla_value_shape`` initializer."""
    return "{" + f"{len(dims)}, " + int_list(dims) + "}" if dims else "{0, {0}}"


def value_type(dtype: DType, dims: Sequence[int]) -> str:
    """An ``odla_value_type`` initializer."""
    return "{" + f"{dtype.odla}, {shape(dims)}" + "}"


def value_id(name: str) -> str:
    return f"(odla_value_id){string(name)}"


def element_count(dims: Sequence[int]) -> str:
    """The extent of a flat array parameter: ``1 * 3 * 224 * 224`` style, at least 1."""
    return " * ".join(str(d) for d in dims) if dims and all(dims) else ("1" if not dims else "0")


def array_param(dtype: DType, name: str, dims: Sequence[int], const: bool = False) -> str:
    """A parameter declaration ``[const] T name[count]`` of the model function."""
    return f"{'const ' if const else ''}{dtype.c_type} {name}[{element_count(dims)}]"


def array_init(dtype: DType, flat: Sequence[Any]) -> str:
    """An initializer list for a constant array of ``dtype``."""
    if dtype is DType.FLOAT32:
        items = [f32(float(v)) for v in flat]
    elif dtype is DType.FLOAT64:
        items = [f32(float(v))[:-1] for v in flat]
    elif dtype is DType.BOOL:
        items = ["true" if v else "false" for v in flat]
    elif dtype is DType.INT64:
        items = [f"INT64_C({int(v)})" for v in flat]
    elif dtype is DType.UINT64:
        items = [f"UINT64_C({int(v)})" for v in flat]
    else:
        items = [str(int(v)) + ("u" if not dtype.is_signed else "") for v in flat]
    return "{" + ", ".join(items or ["0"]) + "}"
