"""Turn an optimized graph into <name>.h, <name>.cc and the weights (<name>.o or <name>.data.cc)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import jinja2
import numpy as np

from halo import __version__
from halo.codegen import cpp, elf
from halo.codegen.capabilities import Capabilities, check_calls
from halo.codegen.lower import LOWERINGS, Call, LowerContext
from halo.codegen.targets import Target
from halo.errors import UnsupportedError
from halo.ir.graph import Graph, Value
from halo.ir.verify import check_attrs

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("halo.codegen", "templates"),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
)


@dataclass
class ParamView:
    name: str
    decl: str


@dataclass
class ArgView:
    var: str
    vtype: str
    vid: str
    param: str


@dataclass
class ConstView:
    var: str
    vtype: str
    vid: str
    symbol: str
    ctype: str
    count: int
    init: str = ""


@dataclass
class OutputView:
    param: str
    vid: str = ""
    var: str = ""
    src: str = ""
    nbytes: int = 0


@dataclass
class ModelView:
    name: str
    guard: str
    banner: list[str]
    params: list[ParamView] = field(default_factory=list)
    args: list[ArgView] = field(default_factory=list)
    constants: list[ConstView] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    bound_outputs: list[OutputView] = field(default_factory=list)
    copied_outputs: list[OutputView] = field(default_factory=list)
    signature: str = '""'  # C string literal, see signature_text()


@dataclass(frozen=True)
class Generated:
    files: dict[str, bytes]  # file name -> contents
    weights: list[tuple[str, np.ndarray]]  # symbol -> constant data


class _Namer:
    def __init__(self) -> None:
        self.used: set[str] = set(cpp.RESERVED)
        self.by_value: dict[int, str] = {}

    def fresh(self, base: str) -> str:
        name, i = base, 1
        while name in self.used:
            name, i = f"{base}_{i}", i + 1
        self.used.add(name)
        return name

    def var(self, v: Value) -> str:
        if id(v) not in self.by_value:
            self.by_value[id(v)] = self.fresh("v_" + cpp.ident(v.name))
        return self.by_value[id(v)]


def _lower_all(graph: Graph, namer: _Namer, caps: Capabilities) -> list[Call]:
    missing = sorted({n.op for n in graph.nodes if n.op not in LOWERINGS})
    if missing:
        raise UnsupportedError("no ODLA lowering for IR op(s): " + ", ".join(missing))
    ctx = LowerContext(namer.var)
    calls = []
    for node in graph.nodes:
        check_attrs(node, " at code generation")
        ctx.start(node)
        calls.append(LOWERINGS[node.op](node, ctx))
    check_calls(caps, [(n.name, c.fn, c.dtype) for n, c in zip(graph.nodes, calls)])
    return calls


def placement(graph: Graph, caps: Capabilities) -> list[tuple[str, str, str]]:
    """(node name, ODLA function, runtime whose kernel runs it) per node, in graph order."""
    calls = _lower_all(graph, _Namer(), caps)
    return [
        (n.name, c.fn, caps.kernel_for(c.fn, c.dtype) or "") for n, c in zip(graph.nodes, calls)
    ]


SIGNATURE_VERSION = "halo-signature 1"


def signature_text(graph: Graph) -> str:
    """What NAME_signature() returns, for loaders such as halo.runtime: a version line, then one
    line per input and per output in call order: ``input|output <TAB> name <TAB> dtype <TAB> dims``
    (dims joined by "x", empty for a scalar)."""
    lines = [SIGNATURE_VERSION]
    for kind, values in (("input", graph.inputs), ("output", graph.outputs)):
        for v in values:
            lines.append(f"{kind}\t{v.name}\t{v.dtype.value}\t{'x'.join(map(str, v.shape))}")
    return "\n".join(lines) + "\n"


def build_view(graph: Graph, name: str, banner: Sequence[str], caps: Capabilities) -> ModelView:
    namer = _Namer()
    m = ModelView(name, f"HALO_{cpp.ident(name).upper()}_H_", list(banner))
    m.signature = cpp.string(signature_text(graph))
    params = _Namer()
    for v in graph.inputs:
        p = params.fresh(cpp.ident(v.name))
        m.params.append(ParamView(p, cpp.array_param(v.dtype, p, v.shape, const=True)))
        m.args.append(
            ArgView(namer.var(v), cpp.value_type(v.dtype, v.shape), cpp.value_id(v.name), p)
        )
    for i, v in enumerate(graph.constants()):
        symbol = f"{cpp.ident(name)}_w{i}"
        m.constants.append(
            ConstView(
                namer.var(v),
                cpp.value_type(v.dtype, v.shape),
                cpp.value_id(v.name),
                symbol,
                v.dtype.c_type,
                max(v.size, 1),
            )
        )
    m.calls = _lower_all(graph, namer, caps)
    first_param: dict[int, str] = {}
    symbols = {id(v): c.symbol for v, c in zip(graph.constants(), m.constants)}
    inputs = {id(v): a.param for v, a in zip(graph.inputs, m.args)}
    for v in graph.outputs:
        p = params.fresh(cpp.ident(v.name) if cpp.ident(v.name) not in params.used else "out")
        m.params.append(ParamView(p, cpp.array_param(v.dtype, p, v.shape)))
        if id(v) in first_param or v.is_const or id(v) in inputs:
            src = first_param.get(id(v)) or symbols.get(id(v)) or inputs[id(v)]
            m.copied_outputs.append(OutputView(p, src=src, nbytes=v.nbytes))
        else:
            m.bound_outputs.append(OutputView(p, cpp.value_id(v.name), namer.var(v)))
        first_param.setdefault(id(v), p)
    return m


def _target_bytes(v: Value, target: Target) -> bytes:
    order: Literal["<", ">"] = "<" if target.little_endian else ">"
    data = v.data if v.data is not None else np.zeros(0)
    return np.ascontiguousarray(data).astype(data.dtype.newbyteorder(order)).tobytes()


def generate(
    graph: Graph,
    name: str,
    banner: Sequence[str],
    caps: Capabilities,
    target: Target,
    data_as_c: bool,
) -> Generated:
    m = build_view(graph, name, banner, caps)
    files = {
        f"{name}.h": render("model.h.j2", m=m).encode(),
        f"{name}.cc": render("model.cc.j2", m=m).encode(),
    }
    consts = graph.constants()
    if data_as_c:
        for c, v in zip(m.constants, consts):
            flat = v.array.view(np.uint16) if v.dtype.is_half else v.array  # bit patterns
            c.init = cpp.array_init(v.dtype, flat.reshape(-1).tolist())
        files[f"{name}.data.cc"] = render("data.cc.j2", m=m).encode()
    else:
        symbols = [(c.symbol, _target_bytes(v, target)) for c, v in zip(m.constants, consts)]
        files[f"{name}.o"] = elf.write_object(symbols, target)
    return Generated(files, [(c.symbol, v.array) for c, v in zip(m.constants, consts)])


def write(generated: Generated, outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, data in sorted(generated.files.items()):
        path = outdir / fname
        path.write_bytes(data)  # always: build tools compare the outputs' times with the model's
        written.append(path)
    return written


def render(template: str, **views: object) -> str:
    """Render one of codegen/templates/ with the given views."""
    return _ENV.get_template(template).render(**views)


def banner_lines(source: str, options: Sequence[str]) -> list[str]:
    return [
        f"Generated by HALO {__version__} from {source}. Do not edit.",
        "Options: " + (" ".join(options) if options else "(none)"),
    ]
