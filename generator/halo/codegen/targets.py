"""Target triples: what the weights object and the cross toolchain need to know about a target.

`resolve()` accepts the common spellings of a GNU triple (with or without a vendor field such as
`unknown` or `pc`, and arch aliases such as `armv7a` or `arm64`) and returns a `Target` whose
`triple` is the normalized Debian multiarch spelling. When the target's architecture is the
host's, the toolchain fields describe the native compiler (`g++`, no emulator, no sysroot).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, replace

from halo.errors import TargetError

EM_386 = 3
EM_ARM = 40
EM_X86_64 = 62
EM_AARCH64 = 183
EM_RISCV = 243

EF_ARM_EABI_VER5 = 0x05000000
EF_ARM_ABI_FLOAT_HARD = 0x00000400
EF_RISCV_RVC = 0x0001
EF_RISCV_FLOAT_ABI_DOUBLE = 0x0004


@dataclass(frozen=True)
class Target:
    triple: str
    elf_class: int
    machine: int
    little_endian: bool
    flags: int
    cxx: str
    qemu: str | None
    sysroot: str | None


def _cross(triple: str, elf_class: int, machine: int, flags: int, qemu: str) -> Target:
    return Target(
        triple=triple,
        elf_class=elf_class,
        machine=machine,
        little_endian=True,
        flags=flags,
        cxx=f"{triple}-g++",
        qemu=qemu,
        sysroot=f"/usr/{triple}",
    )


_TARGETS: dict[str, Target] = {
    t.triple: t
    for t in (
        _cross("x86_64-linux-gnu", 64, EM_X86_64, 0, "qemu-x86_64"),
        _cross("aarch64-linux-gnu", 64, EM_AARCH64, 0, "qemu-aarch64"),
        _cross(
            "arm-linux-gnueabihf", 32, EM_ARM, EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD, "qemu-arm"
        ),
        _cross(
            "riscv64-linux-gnu",
            64,
            EM_RISCV,
            EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE,
            "qemu-riscv64",
        ),
        _cross("i686-linux-gnu", 32, EM_386, 0, "qemu-i386"),
    )
}

# Spellings of the architecture field -> the architecture of the normalized triple.
_ARCH_ALIASES: dict[str, str] = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "aarch64": "aarch64",
    "arm64": "aarch64",
    "arm": "arm",
    "armhf": "arm",
    "armv7": "arm",
    "armv7a": "arm",
    "armv7l": "arm",
    "armv7hl": "arm",
    "riscv64": "riscv64",
    "riscv64gc": "riscv64",
    "i386": "i686",
    "i486": "i686",
    "i586": "i686",
    "i686": "i686",
}
_VENDORS = frozenset({"unknown", "pc", "none"})


def supported_triples() -> list[str]:
    return sorted(_TARGETS)


def _host_arch() -> str | None:
    return _ARCH_ALIASES.get(platform.machine().lower())


def _normalize(triple: str) -> str | None:
    parts = triple.strip().lower().split("-")
    if len(parts) == 4 and parts[1] in _VENDORS:
        del parts[1]
    if len(parts) != 3:
        return None
    arch = _ARCH_ALIASES.get(parts[0])
    if arch is None:
        return None
    return "-".join((arch, parts[1], parts[2]))


def resolve(triple: str | None) -> Target:
    """Return the target for `triple`, or the host target when `triple` is None."""
    host = _host_arch()
    if triple is None:
        name = next((t for t in _TARGETS if t.split("-")[0] == host), None)
        shown = f"host ({platform.machine()})"
    else:
        name = _normalize(triple)
        shown = f"target triple '{triple}'"
    target = _TARGETS.get(name) if name else None
    if target is None:
        supported = ", ".join(supported_triples())
        raise TargetError(
            f"unknown {shown}; supported triples: {supported}",
            hint="pass one of the supported triples (vendor fields such as 'unknown' are optional)",
        )
    if target.triple.split("-")[0] == host:
        target = replace(target, cxx="g++", qemu=None, sysroot=None)
    return target


def cross_run_prefix(target: Target) -> list[str]:
    """The command prefix that runs a program built for `target` on this machine."""
    if target.qemu is None:
        return []
    if target.sysroot is None:
        return [target.qemu]
    return [target.qemu, "-L", target.sysroot]
