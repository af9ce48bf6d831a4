"""Build generated code and runtimes with the system C++ compiler, cached by content hash."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from halo import paths
from halo.codegen.targets import Target, resolve
from halo.errors import ToolchainError

# The runtimes' kernels pick their instruction set when they start (kernels/isa.h), so the build
# needs no -march: the same flags as the CMake build (odla_runtime_options) and the packages.
RUNTIME_FLAGS = ("-std=c++17", "-O3", "-fwrapv", "-fPIC", "-pthread", "-DNDEBUG")
MODEL_FLAGS = ("-std=c++17", "-O1", "-fPIC", "-Wall", "-Wextra", "-Werror")


def cache_root() -> Path:
    root = Path(os.environ.get("HALO_CACHE_DIR") or Path.home() / ".cache" / "halo")
    root.mkdir(parents=True, exist_ok=True)
    return root


def cxx(target: Target | None = None) -> str:
    """The compiler for ``target`` (default: the host): $CXX or g++ on the host, the Debian cross
    compiler (e.g. aarch64-linux-gnu-g++) for another architecture."""
    target = target or resolve(None)
    native = target.qemu is None
    compiler = os.environ.get("CXX", "g++") if native else target.cxx
    if shutil.which(compiler) is None:
        package = "g++" if native else f"g++-{target.triple}"
        raise ToolchainError(
            f"C++ compiler '{compiler}' not found",
            hint=f"install it (apt-get install {package})" + (" or set CXX" if native else ""),
        )
    return compiler


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _run(
    cmd: Sequence[str],
    what: str,
    hint: str = "this is a HALO bug if the generated code or a runtime fails to build",
) -> None:
    proc = subprocess.run(list(cmd), capture_output=True, text=True)
    if proc.returncode != 0:
        raise ToolchainError(f"{what} failed:\n$ {' '.join(cmd)}\n{proc.stderr[-4000:]}", hint=hint)


def _digest(parts: Sequence[bytes]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:24]


@dataclass(frozen=True)
class RuntimeBuild:
    """A runtime's build description (odla/runtimes/<rt>/build.txt, shared with CMake)."""

    name: str
    folders: tuple[Path, ...]  # the `sources` folders
    sources: tuple[Path, ...]  # translation units
    headers: tuple[Path, ...]  # every header the sources may include (cache key)
    includes: tuple[Path, ...]
    libraries: tuple[str, ...]  # system libraries, -l names
    debian: tuple[str, ...]  # Debian packages that provide them

    def link_flags(self) -> list[str]:
        return [f"-l{lib}" for lib in self.libraries]


_BUILD_KEYS = ("sources", "includes", "libraries", "debian")


def runtime_build(runtime: str) -> RuntimeBuild:
    path = paths.runtime_dir(runtime) / "build.txt"
    if not path.is_file():
        raise ToolchainError(
            f"runtime '{runtime}' has no build description ({path})",
            hint="available runtimes: " + ", ".join(paths.available_runtimes()),
        )
    fields: dict[str, list[str]] = {k: [] for k in _BUILD_KEYS}
    for line in path.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] not in fields:
            raise ToolchainError(
                f"{path}: unknown key '{words[0]}'", hint="keys: " + ", ".join(_BUILD_KEYS)
            )
        fields[words[0]] += words[1:]
    root = paths.odla_dir() / "runtimes"
    folders = [root / f for f in fields["sources"]]
    # Relative to odla/runtimes/; a folder starting with / (a system library's
    # headers, e.g. /usr/include/eigen3) is taken as is and not hashed.
    includes = tuple(Path(f) if f.startswith("/") else root / f for f in fields["includes"])
    own = [d for d in includes if d.is_relative_to(root)]
    headers = {h for d in {*folders, *own} for h in d.glob("*.h")}
    return RuntimeBuild(
        name=runtime,
        folders=tuple(folders),
        sources=tuple(p for d in folders for p in sorted(d.glob("*.cc"))),
        headers=tuple(sorted(headers)),
        includes=includes,
        libraries=tuple(fields["libraries"]),
        debian=tuple(fields["debian"]),
    )


def _missing_packages_hint(rt: RuntimeBuild) -> str:
    if not rt.debian:
        return "this is a HALO bug if the generated code or a runtime fails to build"
    debs = " ".join(rt.debian)
    return (
        f"the {rt.name} runtime needs the Debian package(s) {debs}: run `make setup` "
        f"or `apt-get install {debs}`"
    )


def _compile_folder(folder: Path, rt: RuntimeBuild, compiler: str, include: Path) -> list[Path]:
    """Objects of the *.cc files of ``folder`` (a runtime's ``sources`` entry), cached by the
    folder's files, every header on the include path, the compiler, the flags and the include
    path: the runtimes that list a folder with the same include path share its objects."""
    sources = sorted(folder.glob("*.cc"))
    own = [d for d in rt.includes if d.is_relative_to(paths.odla_dir())]
    headers = sorted(
        {*folder.glob("*.h"), *include.rglob("*.h"), *(h for d in own for h in d.rglob("*.h"))}
    )
    flags = [*RUNTIME_FLAGS, f"-I{include}", *(f"-I{d}" for d in rt.includes)]
    key = _digest(
        [p.read_bytes() for p in [*sources, *headers]]
        + [" ".join((compiler, *flags)).encode(), *(str(p).encode() for p in sources)]
    )
    # Member names unique in the archive, whatever the folder (ar replaces same-named members).
    prefix = str(folder.relative_to(paths.odla_dir() / "runtimes")).replace("/", "_")
    out_dir = cache_root() / "objects" / f"{prefix}-{key}"
    objs = [out_dir / f"{prefix}_{src.stem}.o" for src in sources]
    with _locked(out_dir):
        if all(o.exists() for o in objs):
            return objs
        out_dir.mkdir(parents=True, exist_ok=True)

        def compile_one(pair: tuple[Path, Path]) -> None:
            src, obj = pair
            _run(
                [compiler, *flags, "-c", str(src), "-o", f"{obj}.tmp"],
                f"compiling the {rt.name} runtime ({src.name})",
                _missing_packages_hint(rt),
            )
            os.replace(f"{obj}.tmp", obj)

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(compile_one, zip(sources, objs)))
    return objs


def build_runtime(runtime: str, target: Target | None = None) -> tuple[Path, RuntimeBuild]:
    """Static library of ``runtime`` for ``target`` (default: the host), position-independent,
    cached."""
    rt = runtime_build(runtime)
    compiler = cxx(target)
    include = paths.odla_dir() / "include"
    headers = sorted(include.rglob("*.h"))
    build_file = paths.runtime_dir(runtime) / "build.txt"
    key = _digest(
        [p.read_bytes() for p in [*rt.sources, *rt.headers, *headers, build_file]]
        + [" ".join((compiler, *RUNTIME_FLAGS)).encode(), runtime.encode()]
    )
    out_dir = cache_root() / "runtimes" / f"{runtime}-{key}"
    lib = out_dir / f"libodla_{runtime}.a"
    with _locked(out_dir):
        if lib.exists():
            return lib, rt
        out_dir.mkdir(parents=True, exist_ok=True)
        objs = [o for folder in rt.folders for o in _compile_folder(folder, rt, compiler, include)]
        # GNU ar writes archives any GNU linker reads, whatever the target (binutils).
        _run(["ar", "rcs", str(lib) + ".tmp", *map(str, objs)], "archiving the runtime")
        os.replace(str(lib) + ".tmp", lib)
    return lib, rt


def build_model_library(
    files: dict[str, bytes], name: str, runtime: str, target: Target | None = None
) -> Path:
    """Shared library of a generated model linked with ``runtime`` for ``target`` (default: the
    host); cached by content."""
    lib, rt = build_runtime(runtime, target)
    compiler = cxx(target)
    key = _digest(
        [files[k] for k in sorted(files)]
        + [str(lib).encode(), " ".join((compiler, *MODEL_FLAGS)).encode()]
    )
    out_dir = cache_root() / "models" / key
    so = out_dir / f"lib{name}.so"
    with _locked(out_dir):
        if so.exists():
            return so
        out_dir.mkdir(parents=True, exist_ok=True)
        for fname, data in files.items():
            (out_dir / fname).write_bytes(data)
        srcs = [str(out_dir / f) for f in sorted(files) if f.endswith((".cc", ".o"))]
        include = paths.odla_dir() / "include"
        _run(
            [
                compiler,
                *MODEL_FLAGS,
                "-shared",
                f"-I{include}",
                f"-I{out_dir}",
                *srcs,
                str(lib),
                *rt.link_flags(),
                "-pthread",
                "-Wl,-Bsymbolic",
                "-o",
                str(so) + ".tmp",
            ],
            f"building model {name}",
        )
        os.replace(str(so) + ".tmp", so)
    return so
