"""Each build integration builds and runs examples/mnist: one registry for pytest and make.

An integration is a function ``check(workdir) -> str`` registered with ``@integration(name, tools)``
in a module ``tests/e2e/integration_<tool>.py``. It builds the MNIST example with its build system
inside ``workdir`` (a fresh, empty folder), runs the program (under QEMU for a cross target), and
returns what the program printed; it raises AssertionError (with the tool's output) when a build
step or one of its own checks (no-op rebuild, determinism, ELF machine, ...) fails. The caller
compares the printed predictions with ONNX Runtime's (examples/mnist/check_ort.py).

    python tests/e2e/integrations.py [NAME ...]     # what `make integrations` runs
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@dataclass(frozen=True)
class Integration:
    name: str
    tools: tuple[str, ...]  # executables it needs on PATH (installed by `make setup`)
    check: Callable[[Path], str]

    def missing_tools(self) -> list[str]:
        return [t for t in self.tools if shutil.which(t) is None]


REGISTRY: dict[str, Integration] = {}


def integration(name: str, tools: tuple[str, ...] = ()) -> Callable[[Callable[[Path], str]],
                                                                 Callable[[Path], str]]:
    def register(check: Callable[[Path], str]) -> Callable[[Path], str]:
        assert name not in REGISTRY, f"integration {name} registered twice"
        REGISTRY[name] = Integration(name, tools, check)
        return check

    return register


def discover() -> dict[str, Integration]:
    """Import every integration_*.py module next to this one; return the registry."""
    for path in sorted(HERE.glob("integration_*.py")):
        importlib.import_module(path.stem)
    return REGISTRY


def prediction_check(output: str, expected: str) -> str | None:
    """None when the program printed ONNX Runtime's predictions; otherwise what differs."""
    if output.strip().splitlines()[-2:] == expected.strip().splitlines()[-2:]:
        return None
    return f"expected:\n{expected.strip()}\ngot:\n{output.strip()}"


def main(argv: list[str]) -> int:
    import integrations  # integration_*.py register with this module, not with __main__
    from mnist_example import onnxruntime_output

    registry = integrations.discover()
    names = argv or list(registry)
    unknown = [n for n in names if n not in registry]
    if unknown:
        print(f"unknown integration(s): {', '.join(unknown)}; known: {', '.join(registry)}")
        return 2
    expected = onnxruntime_output()
    accuracy = expected.strip().splitlines()[-1]
    failures = 0
    for name in names:
        entry = registry[name]
        start = time.monotonic()
        missing = entry.missing_tools()
        if missing:
            verdict, detail = "SKIP", f"not installed: {', '.join(missing)} (run `make setup`)"
        else:
            with tempfile.TemporaryDirectory(prefix=f"halo-{name}-") as tmp:
                try:
                    diff = prediction_check(entry.check(Path(tmp)), expected)
                except AssertionError as exc:
                    diff = str(exc)
            verdict = "ok" if diff is None else "FAIL"
            detail = f"predictions == ONNX Runtime ({accuracy})" if diff is None else diff
            failures += diff is not None
        print(f"{name:<22} {verdict:<4} {time.monotonic() - start:7.1f} s  {detail}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
