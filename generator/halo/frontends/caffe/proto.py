"""Caffe's message classes, built at import time from caffe.proto.

Python protobuf has no .proto compiler, and generated ``*_pb2.py`` files pin the protobuf runtime
version they were generated for. This module instead reads the proto2 subset that caffe.proto is
written in (messages, nested messages and enums, optional/repeated/required scalar, enum and
message fields, ``default`` and ``packed`` options) into a FileDescriptorProto, adds it to a
private descriptor pool (so another copy of Caffe's schema in the process cannot clash) and makes
message classes from it. Only ``protobuf`` is needed at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

PROTO_FILE = Path(__file__).with_name("caffe.proto")

_F: TypeAlias = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "double": _F.TYPE_DOUBLE,
    "float": _F.TYPE_FLOAT,
    "int32": _F.TYPE_INT32,
    "int64": _F.TYPE_INT64,
    "uint32": _F.TYPE_UINT32,
    "uint64": _F.TYPE_UINT64,
    "sint32": _F.TYPE_SINT32,
    "sint64": _F.TYPE_SINT64,
    "bool": _F.TYPE_BOOL,
    "string": _F.TYPE_STRING,
    "bytes": _F.TYPE_BYTES,
}
_LABELS = {
    "optional": _F.LABEL_OPTIONAL,
    "repeated": _F.LABEL_REPEATED,
    "required": _F.LABEL_REQUIRED,
}
_TOKEN = re.compile(
    r'\s*(?:(//[^\n]*)|("(?:[^"\\]|\\.)*")|([A-Za-z_][\w.]*)|(-?[\d.]+(?:[eE][-+]?\d+)?)|(\S))'
)


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"caffe.proto: cannot read at offset {pos}")
        pos = m.end()
        if m.group(1) is None:
            out.append(m.group(0).strip())
    return out


@dataclass
class _Parser:
    toks: list[str]
    pos: int = 0
    unresolved: list[tuple[str, _F]] = field(default_factory=list)  # (scope, field)
    kinds: dict[str, str] = field(default_factory=dict)  # full name -> "message" | "enum"

    def next(self, expect: str | None = None) -> str:
        tok = self.toks[self.pos]
        self.pos += 1
        if expect is not None and tok != expect:
            raise ValueError(f"caffe.proto: expected '{expect}', got '{tok}'")
        return tok

    def peek(self) -> str:
        return self.toks[self.pos]

    def enum(self, scope: str) -> descriptor_pb2.EnumDescriptorProto:
        e = descriptor_pb2.EnumDescriptorProto(name=self.next())
        self.kinds[f"{scope}.{e.name}"] = "enum"
        self.next("{")
        while self.peek() != "}":
            name = self.next()
            self.next("=")
            e.value.add(name=name, number=int(self.next()))
            self.next(";")
        self.next("}")
        return e

    def message(self, scope: str) -> descriptor_pb2.DescriptorProto:
        m = descriptor_pb2.DescriptorProto(name=self.next())
        full = f"{scope}.{m.name}"
        self.kinds[full] = "message"
        self.next("{")
        while self.peek() != "}":
            word = self.next()
            if word == "message":
                m.nested_type.append(self.message(full))
            elif word == "enum":
                m.enum_type.append(self.enum(full))
            else:
                m.field.append(self.field(word, full))
        self.next("}")
        return m

    def field(self, label: str, scope: str) -> _F:
        if label not in _LABELS:
            raise ValueError(f"caffe.proto: unexpected '{label}' in message {scope}")
        type_name, name = self.next(), self.next()
        self.next("=")
        f = _F(name=name, number=int(self.next()), label=_LABELS[label])
        if type_name in _SCALARS:
            f.type = _SCALARS[type_name]
        else:
            f.type_name = type_name
            self.unresolved.append((scope, f))
        if self.peek() == "[":
            self.next()
            while True:
                key = self.next()
                self.next("=")
                value = self.next()
                if key == "packed":
                    f.options.packed = value == "true"
                elif key == "default":
                    f.default_value = _default_text(value, type_name)
                else:
                    raise ValueError(f"caffe.proto: unknown field option '{key}'")
                if self.next() == "]":
                    break
        self.next(";")
        return f

    def resolve(self) -> None:
        for scope, f in self.unresolved:
            parts = scope.split(".")
            for i in range(len(parts), 0, -1):
                candidate = ".".join(parts[:i]) + "." + f.type_name
                if candidate in self.kinds:
                    f.type = _F.TYPE_ENUM if self.kinds[candidate] == "enum" else _F.TYPE_MESSAGE
                    f.type_name = "." + candidate
                    break
            else:
                raise ValueError(f"caffe.proto: unknown type {f.type_name} in {scope}")


def _default_text(token: str, type_name: str) -> str:
    if token.startswith('"'):
        return token[1:-1]
    if type_name in ("float", "double"):
        return repr(float(token))
    return token


def parse_proto(
    text: str, file_name: str = "halo_caffe.proto"
) -> descriptor_pb2.FileDescriptorProto:
    """The FileDescriptorProto of a .proto file written in the supported subset."""
    p = _Parser(_tokens(text))
    fd = descriptor_pb2.FileDescriptorProto(name=file_name, syntax="proto2")
    while p.pos < len(p.toks):
        word = p.next()
        if word == "syntax":
            p.next("=")
            if p.next() != '"proto2"':
                raise ValueError("caffe.proto: only proto2 syntax is supported")
            p.next(";")
        elif word == "package":
            fd.package = p.next()
            p.next(";")
        elif word == "message":
            fd.message_type.append(p.message(fd.package))
        elif word == "enum":
            fd.enum_type.append(p.enum(fd.package))
        else:
            raise ValueError(f"caffe.proto: unexpected '{word}' at top level")
    p.resolve()
    return fd


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(parse_proto(PROTO_FILE.read_text(encoding="utf-8")))


def message_class(name: str) -> type[Message]:
    """The class of message ``caffe.<name>``."""
    return message_factory.GetMessageClass(_POOL.FindMessageTypeByName(f"caffe.{name}"))


NetParameter = message_class("NetParameter")
LayerParameter = message_class("LayerParameter")
BlobProto = message_class("BlobProto")
BlobShape = message_class("BlobShape")
