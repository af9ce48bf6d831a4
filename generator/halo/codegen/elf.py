"""Writes the weights object: a relocatable ELF file for the target holding one symbol per constant.

Each symbol gets its own read-only allocatable section `<section>.<name>` (so `--gc-sections` can
drop unused constants), aligned to 64 bytes, with a global STT_OBJECT symbol at offset 0 whose size
is the data's length. The file also carries an empty `.note.GNU-stack` section so that linkers do
not assume an executable stack. The output depends only on the arguments: same input, same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from halo.codegen.targets import Target

DATA_ALIGN = 64

_ET_REL = 1
_EV_CURRENT = 1
_SHT_PROGBITS = 1
_SHT_SYMTAB = 2
_SHT_STRTAB = 3
_SHF_ALLOC = 0x2
_STB_GLOBAL = 1
_STT_OBJECT = 1
_SHN_LORESERVE = 0xFF00


@dataclass(frozen=True)
class _Section:
    name: str
    kind: int
    flags: int = 0
    data: bytes = b""
    align: int = 1
    link: int = 0
    info: int = 0
    entsize: int = 0


@dataclass(frozen=True)
class _Layout:
    """Struct formats of the ELF class and byte order of one target."""

    order: str
    wide: bool

    @property
    def header(self) -> str:
        return self.order + ("16sHHIQQQIHHHHHH" if self.wide else "16sHHIIIIIHHHHHH")

    @property
    def section_header(self) -> str:
        return self.order + ("IIQQQQIIQQ" if self.wide else "IIIIIIIIII")

    @property
    def word_align(self) -> int:
        return 8 if self.wide else 4

    def symbol(self, name: int, value: int, size: int, info: int, shndx: int) -> bytes:
        if self.wide:
            return struct.pack(self.order + "IBBHQQ", name, info, 0, shndx, value, size)
        return struct.pack(self.order + "IIIBBH", name, value, size, info, 0, shndx)


class _StringTable:
    def __init__(self) -> None:
        self._data = bytearray(b"\0")
        self._offsets: dict[str, int] = {"": 0}

    def add(self, text: str) -> int:
        if text not in self._offsets:
            self._offsets[text] = len(self._data)
            self._data += text.encode() + b"\0"
        return self._offsets[text]

    def contents(self) -> bytes:
        return bytes(self._data)


def _check_names(symbols: Sequence[tuple[str, bytes]]) -> None:
    seen: set[str] = set()
    for name, _ in symbols:
        if not name or "\0" in name:
            raise ValueError(f"invalid ELF symbol name {name!r}")
        if name in seen:
            raise ValueError(f"duplicate ELF symbol name {name!r}")
        seen.add(name)


def _sections(
    symbols: Sequence[tuple[str, bytes]], section: str, layout: _Layout
) -> list[_Section]:
    """The section list, index 0 (the null section) first."""
    sections = [_Section("", 0)]
    strtab = _StringTable()
    symtab = [layout.symbol(0, 0, 0, 0, 0)]
    info = (_STB_GLOBAL << 4) | _STT_OBJECT
    for name, data in symbols:
        symtab.append(layout.symbol(strtab.add(name), 0, len(data), info, len(sections)))
        sections.append(
            _Section(f"{section}.{name}", _SHT_PROGBITS, _SHF_ALLOC, bytes(data), DATA_ALIGN)
        )
    sections.append(_Section(".note.GNU-stack", _SHT_PROGBITS))
    symtab_index = len(sections)
    sections.append(
        _Section(
            ".symtab",
            _SHT_SYMTAB,
            data=b"".join(symtab),
            align=layout.word_align,
            link=symtab_index + 1,
            info=1,  # index of the first non-local symbol: all but the null symbol are global
            entsize=len(symtab[0]),
        )
    )
    sections.append(_Section(".strtab", _SHT_STRTAB, data=strtab.contents()))
    sections.append(_Section(".shstrtab", _SHT_STRTAB))
    if len(sections) >= _SHN_LORESERVE:
        raise ValueError(f"{len(symbols)} symbols exceed the ELF section index range")
    return sections


def _align(offset: int, alignment: int) -> int:
    return -(-offset // alignment) * alignment


def write_object(
    symbols: Sequence[tuple[str, bytes]], target: Target, section: str = ".rodata.halo"
) -> bytes:
    """A relocatable ELF object for `target` defining each (name, data) as a read-only symbol.

    `data` must already be in the target's byte order; symbols keep the order given.
    """
    _check_names(symbols)
    layout = _Layout("<" if target.little_endian else ">", target.elf_class == 64)
    sections = _sections(symbols, section, layout)
    shstrtab = _StringTable()
    names = [shstrtab.add(s.name) for s in sections]
    sections[-1] = _Section(".shstrtab", _SHT_STRTAB, data=shstrtab.contents())

    body = bytearray(struct.calcsize(layout.header))
    offsets = []
    for sec in sections:
        body += bytes(_align(len(body), sec.align) - len(body))
        offsets.append(len(body) if sec.kind else 0)
        body += sec.data
    body += bytes(_align(len(body), layout.word_align) - len(body))
    shoff = len(body)
    for sec, name, offset in zip(sections, names, offsets):
        body += struct.pack(
            layout.section_header,
            name,
            sec.kind,
            sec.flags,
            0,
            offset,
            len(sec.data),
            sec.link,
            sec.info,
            sec.align if sec.kind else 0,
            sec.entsize,
        )
    if not layout.wide and len(body) >= 1 << 32:
        raise ValueError(f"{len(body)} bytes of weights do not fit a 32-bit ELF object")

    ident = b"\x7fELF" + bytes(
        [2 if layout.wide else 1, 1 if target.little_endian else 2, _EV_CURRENT]
    )
    header = struct.pack(
        layout.header,
        ident,
        _ET_REL,
        target.machine,
        _EV_CURRENT,
        0,  # e_entry
        0,  # e_phoff
        shoff,
        target.flags,
        struct.calcsize(layout.header),
        0,  # e_phentsize
        0,  # e_phnum
        struct.calcsize(layout.section_header),
        len(sections),
        len(sections) - 1,  # e_shstrndx
    )
    body[: len(header)] = header
    return bytes(body)
