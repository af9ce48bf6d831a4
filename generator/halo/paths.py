"""Where the ODLA sources and CMake files are: inside the wheel, or in the source checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_root() -> Path:
    installed = _PKG / "_data"
    return installed if installed.is_dir() else _PKG.parent.parent


def odla_dir() -> Path:
    return data_root() / "odla"


def cmake_dir() -> Path:
    return data_root() / "cmake"


def scons_dir() -> Path:
    """The folder holding the SCons tool module `halo.py` (for `env.Tool("halo", toolpath=...)`)."""
    return data_root() / "scons"


def runtime_dir(runtime: str) -> Path:
    return odla_dir() / "runtimes" / runtime


def available_runtimes() -> list[str]:
    root = odla_dir() / "runtimes"
    return sorted(
        p.name
        for p in root.iterdir()
        if (p / "capabilities.txt").is_file() and (p / "build.txt").is_file()
    )
