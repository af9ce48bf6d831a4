"""The IR verifier: structure, topological order, and shapes/types against the op rules."""

from __future__ import annotations

from halo.ir.graph import Graph, Node
from halo.ir.ops import get_op


class VerifyError(AssertionError):
    """The IR is malformed: a compiler bug, never the user's fault."""


def check_attrs(node: Node, where: str = "") -> None:
    """The node's attribute object must be its op's attribute class."""
    expected = get_op(node.op).attrs
    if type(node.attrs) is not expected:
        raise VerifyError(
            f"{node!r} carries {type(node.attrs).__name__} attributes, "
            f"{node.op} takes {expected.__name__}{where}"
        )


def verify(graph: Graph, after: str = "") -> None:
    where = f" after {after}" if after else ""
    defined = {id(v) for v in graph.inputs}
    names: set[str] = set()
    for node in graph.nodes:
        if node.name in names:
            raise VerifyError(f"duplicate node name {node.name}{where}")
        names.add(node.name)
        for v in node.inputs:
            if v is not None and not v.is_const and id(v) not in defined:
                raise VerifyError(f"{node!r} reads {v!r} before it is defined{where}")
        check_attrs(node, where)
        inferred = get_op(node.op).infer(node.attrs, node.inputs)
        actual = [(v.dtype, v.shape) for v in node.outputs]
        if inferred != actual:
            raise VerifyError(f"{node!r}: outputs {actual} but the op rule gives {inferred}{where}")
        for v in node.outputs:
            if v.producer is not node:
                raise VerifyError(f"{v!r} does not point back to its producer {node.name}{where}")
            defined.add(id(v))
    for v in graph.outputs:
        if not v.is_const and id(v) not in defined:
            raise VerifyError(f"graph output {v!r} is not computed{where}")
