"""The weights object: readelf sees the target's ELF identity; cross linkers and qemu-user run it."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from halo.codegen.elf import write_object
from halo.codegen.targets import Target, cross_run_prefix, resolve, supported_triples
from halo.errors import HaloError, TargetError

pytestmark = pytest.mark.unit

# triple -> (readelf Class, Machine, text the Flags line must contain)
IDENTITY = {
    "x86_64-linux-gnu": ("ELF64", "Advanced Micro Devices X86-64", "0x0"),
    "aarch64-linux-gnu": ("ELF64", "AArch64", "0x0"),
    "arm-linux-gnueabihf": ("ELF32", "ARM", "Version5 EABI, hard-float ABI"),
    "riscv64-linux-gnu": ("ELF64", "RISC-V", "RVC, double-float ABI"),
    "i686-linux-gnu": ("ELF32", "Intel 80386", "0x0"),
}
FLOATS = (1.5, -2.25, 1024.0, 0.125, -0.0, 3.0e-8)
BYTES = bytes((i * 37 + 11) % 256 for i in range(1000))

MAIN_CC = r"""
#include <cstdint>
#include <cstdio>
extern "C" const unsigned char halo_bytes[];
extern "C" const float halo_floats[];
extern "C" const unsigned char halo_empty[];
int main() {
  std::uint32_t sum = 0;
  for (int i = 0; i < %(nbytes)d; ++i) sum = sum * 31u + halo_bytes[i];
  std::printf("sum %%u\n", static_cast<unsigned>(sum));
  for (int i = 0; i < %(nfloats)d; ++i) std::printf("float %%.9g\n", halo_floats[i]);
  std::printf("align %%u %%u\n", static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(halo_bytes) %% 64),
              static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(halo_floats) %% 64));
  std::printf("empty %%d\n", halo_empty != nullptr);
  return 0;
}
"""


def _symbols(target: Target) -> list[tuple[str, bytes]]:
    order = "<" if target.little_endian else ">"
    return [
        ("halo_bytes", BYTES),
        ("halo_unused", b"\x01" * 10),
        ("halo_empty", b""),
        ("halo_floats", struct.pack(f"{order}{len(FLOATS)}f", *FLOATS)),
    ]


def _readelf(tmp_path: Path, blob: bytes, option: str) -> str:
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    obj = tmp_path / "weights.o"
    obj.write_bytes(blob)
    return subprocess.run(
        ["readelf", "-W", option, str(obj)], check=True, capture_output=True, text=True
    ).stdout


def _field(text: str, key: str) -> str:
    match = re.search(rf"^\s*{key}:\s*(.*)$", text, re.MULTILINE)
    assert match, f"readelf output lacks {key!r}:\n{text}"
    return match.group(1).strip()


@pytest.mark.parametrize("triple", sorted(IDENTITY))
def test_header_identity(tmp_path: Path, triple: str) -> None:
    target = resolve(triple)
    out = _readelf(tmp_path, write_object(_symbols(target), target), "-h")
    elf_class, machine, flags = IDENTITY[triple]
    assert _field(out, "Class") == elf_class
    assert _field(out, "Data") == "2's complement, little endian"
    assert _field(out, "Machine") == machine
    assert _field(out, "Type") == "REL (Relocatable file)"
    assert flags in _field(out, "Flags")


@pytest.mark.parametrize("triple", sorted(IDENTITY))
def test_symbols_and_sections(tmp_path: Path, triple: str) -> None:
    target = resolve(triple)
    blob = write_object(_symbols(target), target)
    sizes = {}
    for line in _readelf(tmp_path, blob, "-s").splitlines():
        cols = line.split()
        if len(cols) == 8 and cols[0][:-1].isdigit() and cols[7].startswith("halo_"):
            assert cols[3:6] == ["OBJECT", "GLOBAL", "DEFAULT"], line
            assert cols[6].isdigit(), f"symbol not defined in a section: {line}"
            sizes[cols[7]] = int(cols[2])
    assert sizes == {name: len(data) for name, data in _symbols(target)}

    sections = {}
    for line in _readelf(tmp_path, blob, "-S").splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*)\s", line)
        if match:
            name, kind, size, flags = match.groups()
            sections[name] = (kind, int(size, 16), flags, int(line.split()[-1]))
    for name, data in _symbols(target):
        assert sections[f".rodata.halo.{name}"] == ("PROGBITS", len(data), "A", 64)
    assert sections[".note.GNU-stack"][:2] == ("PROGBITS", 0)


def test_big_endian_target(tmp_path: Path) -> None:
    ppc64 = Target("powerpc64-linux-gnu", 64, 21, False, 2, "g++", None, None)
    out = _readelf(tmp_path, write_object([("w", b"\x00\x01\x02")], ppc64), "-hs")
    assert _field(out, "Data") == "2's complement, big endian"
    assert _field(out, "Machine") == "PowerPC64"
    assert re.search(r"\s3 OBJECT\s+GLOBAL\s+DEFAULT\s+1 w$", out, re.MULTILINE), out


@pytest.mark.parametrize("triple", sorted(IDENTITY))
def test_links_and_runs(tmp_path: Path, triple: str) -> None:
    target = resolve(triple)
    if shutil.which(target.cxx) is None:
        pytest.skip(f"cross compiler {target.cxx} for {triple} is not installed")
    if target.qemu is not None and shutil.which(target.qemu) is None:
        pytest.skip(f"{target.qemu} (qemu-user) for {triple} is not installed")
    (tmp_path / "weights.o").write_bytes(write_object(_symbols(target), target))
    (tmp_path / "main.cc").write_text(MAIN_CC % {"nbytes": len(BYTES), "nfloats": len(FLOATS)})
    link = [target.cxx, "-O1", "-ffunction-sections", "-Wl,--gc-sections", "-Wl,--fatal-warnings"]
    subprocess.run(
        [*link, "main.cc", "weights.o", "-o", "prog"], cwd=tmp_path, check=True, timeout=300
    )
    run = subprocess.run(
        [*cross_run_prefix(target), "./prog"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    checksum = 0
    for b in BYTES:
        checksum = (checksum * 31 + b) % (1 << 32)
    expected = [f"sum {checksum}"]
    expected += [f"float {struct.unpack('f', struct.pack('f', v))[0]:.9g}" for v in FLOATS]
    expected += ["align 0 0", "empty 1"]
    assert run.stdout.splitlines() == expected
    symbols = subprocess.run(
        ["readelf", "-sW", str(tmp_path / "prog")], check=True, capture_output=True, text=True
    ).stdout
    assert "halo_floats" in symbols and "halo_unused" not in symbols, "--gc-sections kept it"


def test_deterministic() -> None:
    target = resolve("aarch64-linux-gnu")
    first = write_object(_symbols(target), target)
    assert write_object(list(_symbols(target)), target) == first
    assert write_object(_symbols(target)[:1], target) != first


def test_rejects_duplicate_and_empty_names() -> None:
    target = resolve(None)
    with pytest.raises(ValueError, match="duplicate"):
        write_object([("a", b"1"), ("a", b"2")], target)
    with pytest.raises(ValueError, match="invalid"):
        write_object([("", b"1")], target)


@pytest.mark.parametrize(
    ("spelling", "triple"),
    [
        ("x86_64-unknown-linux-gnu", "x86_64-linux-gnu"),
        ("aarch64-unknown-linux-gnu", "aarch64-linux-gnu"),
        ("armv7-linux-gnueabihf", "arm-linux-gnueabihf"),
        ("armv7a-unknown-linux-gnueabihf", "arm-linux-gnueabihf"),
        ("riscv64-unknown-linux-gnu", "riscv64-linux-gnu"),
        ("i686-pc-linux-gnu", "i686-linux-gnu"),
    ],
)
def test_resolve_spellings(spelling: str, triple: str) -> None:
    assert resolve(spelling) == resolve(triple)
    assert resolve(spelling).triple == triple


def test_host_and_cross_prefix() -> None:
    host = resolve(None)
    assert host.qemu is None and host.cxx == "g++"
    assert cross_run_prefix(host) == []
    arm = resolve("arm-linux-gnueabihf")
    if arm != host:
        assert cross_run_prefix(arm) == ["qemu-arm", "-L", "/usr/arm-linux-gnueabihf"]


@pytest.mark.parametrize(
    "bad", ["sparc-linux-gnu", "arm-linux-gnueabi", "aarch64-apple-darwin", ""]
)
def test_unknown_triple(bad: str) -> None:
    with pytest.raises(TargetError) as info:
        resolve(bad)
    assert isinstance(info.value, HaloError)
    assert f"'{bad}'" in str(info.value)
    for triple in supported_triples():
        assert triple in str(info.value)
    assert info.value.hint
