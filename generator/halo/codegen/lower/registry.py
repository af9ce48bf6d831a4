"""What a lowering produces (a view of one ODLA call) and the context it works in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from halo.codegen import cpp
from halo.ir.dtype import DType
from halo.ir.graph import Node, Value


@dataclass
class ArrayDecl:
    """``static const <ctype> <name>[] = <init>;`` before the call."""

    ctype: str
    name: str
    init: str


@dataclass
class AuxConst:
    """A small literal constant value created just for this call (e.g. CumSum's axis)."""

    var: str
    array: ArrayDecl
    vtype: str
    vid: str


@dataclass
class Call:
    """One ODLA builder call; ``results`` are the C variables of the node's outputs."""

    fn: str
    args: list[str]
    results: list[str] = field(default_factory=list)
    arrays: list[ArrayDecl] = field(default_factory=list)
    aux: list[AuxConst] = field(default_factory=list)
    multi: bool = False  # returns odla_values
    dtype: str = ""  # element type checked against the runtime's capability list


class LowerContext:
    """Names C variables and collects per-call declarations."""

    def __init__(self, var_of: Callable[[Value], str]) -> None:
        self._var_of = var_of
        self.node: Node | None = None
        self._arrays: list[ArrayDecl] = []
        self._aux: list[AuxConst] = []

    def start(self, node: Node) -> None:
        self.node, self._arrays, self._aux = node, [], []

    def val(self, v: Value | None) -> str:
        return "nullptr" if v is None else self._var_of(v)

    def _prefix(self) -> str:
        assert self.node is not None
        return cpp.ident(self.node.name)

    def array(self, ctype: str, suffix: str, init: str) -> str:
        name = f"{self._prefix()}_{suffix}"
        self._arrays.append(ArrayDecl(ctype, name, init))
        return name

    def u32s(self, suffix: str, values: Sequence[int]) -> str:
        return self.array("odla_uint32", suffix, cpp.int_list(values))

    def i32s(self, suffix: str, values: Sequence[int]) -> str:
        return self.array("odla_int32", suffix, cpp.int_list(values))

    def scalar_const(self, suffix: str, dtype: DType, value: int) -> str:
        var = f"{self._prefix()}_{suffix}"
        arr = ArrayDecl(dtype.c_type, f"{var}_data", cpp.array_init(dtype, [value]))
        self._aux.append(AuxConst(var, arr, cpp.value_type(dtype, ()), cpp.value_id(var)))
        return var

    def out_shape(self, i: int = 0) -> str:
        assert self.node is not None
        return cpp.shape(self.node.outputs[i].shape)

    def out_id(self, i: int = 0) -> str:
        assert self.node is not None
        return cpp.value_id(self.node.outputs[i].name)

    def finish(self, call: Call) -> Call:
        assert self.node is not None
        call.arrays, call.aux = self._arrays, self._aux
        call.results = [self._var_of(v) for v in self.node.outputs]
        first = next((v for v in self.node.inputs if v is not None), None)
        call.dtype = call.dtype or (first.dtype.value if first is not None else "")
        return call


Lowering = Callable[[Node, LowerContext], Call]
LOWERINGS: dict[str, Lowering] = {}


def lower(*ops: str) -> Callable[[Lowering], Lowering]:
    def wrap(fn: Lowering) -> Lowering:
        for op in ops:
            if op in LOWERINGS:
                raise RuntimeError(f"lowering for {op} registered twice")
            LOWERINGS[op] = fn
        return fn

    return wrap
