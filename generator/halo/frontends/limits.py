"""Size limits every frontend checks before it allocates or trusts a declared shape: the rank,
the element count (overflow-checked with Python integers) and a byte budget per tensor."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from halo.errors import ModelError, OptionError

INT64_MAX = (1 << 63) - 1
MAX_RANK = 64  # what ODLA value types hold; no real model comes near it
DEFAULT_MAX_TENSOR_BYTES = 1 << 32  # 4 GiB; --max-tensor-bytes (or HALO_MAX_TENSOR_BYTES) raises it
_BUDGET: ContextVar[int | None] = ContextVar("halo_max_tensor_bytes", default=None)


def max_tensor_bytes() -> int:
    """The byte budget of one tensor: the innermost tensor_budget(), the env, or 4 GiB."""
    budget = _BUDGET.get()
    if budget is not None:
        return budget
    env = os.environ.get("HALO_MAX_TENSOR_BYTES", "")
    return parse_bytes(env, "HALO_MAX_TENSOR_BYTES") if env else DEFAULT_MAX_TENSOR_BYTES


def parse_bytes(text: str, what: str = "--max-tensor-bytes") -> int:
    """``4096``, ``512M``, ``8G`` (powers of 1024) -> bytes."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = t[-1:] if t[-1:] in units and t[-1:] else ""
    number = t[: len(t) - len(unit)]
    if not number.isdigit() or int(number) == 0:
        raise OptionError(
            f"malformed {what} '{text}'", hint="write a byte count such as 8G or 512M"
        )
    return int(number) * units[unit]


@contextmanager
def tensor_budget(nbytes: int | None) -> Iterator[None]:
    """Use ``nbytes`` as the budget inside the block (None: keep the current one)."""
    token = _BUDGET.set(nbytes if nbytes is not None else _BUDGET.get())
    try:
        yield
    finally:
        _BUDGET.reset(token)


def check_rank(what: str, shape: Sequence[int]) -> None:
    if len(shape) > MAX_RANK:
        raise ModelError(
            f"{what} has rank {len(shape)}; HALO supports ranks up to {MAX_RANK}",
            hint="the model is malformed (a corrupt shape?)",
        )


def elements(what: str, shape: Sequence[int]) -> int:
    """The element count of ``shape``: exact, and checked for negative dimensions and rank."""
    check_rank(what, shape)
    count = 1
    for d in shape:
        d = int(d)
        if d < 0:
            raise ModelError(f"{what} has a negative dimension: {list(shape)}")
        count *= d
    return count


def check_tensor_bytes(
    what: str, shape: Sequence[int], nbytes: int | None = None, itemsize: int = 1
) -> int:
    """Raise when a tensor of ``shape`` would exceed the byte budget; return its byte size."""
    size = elements(what, shape) * itemsize if nbytes is None else nbytes
    budget = min(max_tensor_bytes(), INT64_MAX)  # sizes are int64 in generated code
    if size > budget:
        dims = "x".join(map(str, shape)) or "scalar"
        raise ModelError(
            f"{what} of shape {dims} would take {size:,} bytes, over the limit of "
            f"{budget:,} bytes per tensor",
            hint="the model or --input-shape declares an impossible size; if it is real, raise "
            "the limit with --max-tensor-bytes (or HALO_MAX_TENSOR_BYTES)",
        )
    return size


def check_range(what: str, start: float, limit: float, delta: float) -> int:
    """The length of ``arange(start, limit, delta)``, checked before it is built."""
    if not all(math.isfinite(v) for v in (start, limit, delta)) or delta == 0:
        raise ModelError(
            f"{what}: range({start}, {limit}, {delta}) is invalid (delta 0 or not finite)"
        )
    count = max(0, math.ceil((limit - start) / delta))
    check_tensor_bytes(what, (count,), itemsize=8)
    return count
