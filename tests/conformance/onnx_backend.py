"""ONNX backend node tests through the full HALO path (generate -> build -> run on a runtime).

The cases come from the installed onnx package (``collect_testcases``); nothing is committed.
Cases are compiled in batches: one shared library holds many models, built and run in a worker
process, so a crash costs one batch (which is then retried case by case), not the suite.
"""

from __future__ import annotations

import ctypes
import json
import re
import tempfile
import traceback
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx

HERE = Path(__file__).resolve().parent
EXCLUDE_FILE = HERE / "onnx_exclusions.txt"
TOLERANCE_FILE = HERE / "onnx_tolerances.txt"
BATCH = 48


@dataclass
class Case:
    name: str
    op: str
    model: bytes
    inputs: list[np.ndarray]
    outputs: list[np.ndarray]
    rtol: float
    atol: float


def _tensor_only(values: Sequence[object]) -> bool:
    return all(isinstance(v, np.ndarray) and v.dtype.kind not in "USO" for v in values)


def _reasoned_lines(path: Path) -> list[tuple[list[str], str]]:
    """Non-comment lines of ``path`` as (words before '#', reason after it); every line needs one."""
    out = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, reason = line.partition("#")
        if not reason.strip():
            raise ValueError(f"{path.name}: entry without a reason: {line}")
        out.append((head.split(), reason.strip()))
    return out


def load_tolerances() -> dict[str, tuple[float, float]]:
    """``name-regex rtol atol  # reason`` per line: cases whose reference needs looser bounds."""
    return {words[0]: (float(words[1]), float(words[2])) for words, _ in _reasoned_lines(TOLERANCE_FILE)}


def collect(pattern: str = "") -> list[Case]:
    from onnx.backend.test.case.node import collect_testcases

    tolerances = load_tolerances()
    cases = []
    for tc in collect_testcases(None):
        if tc.kind != "node" or not tc.data_sets or (pattern and not re.search(pattern, tc.name)):
            continue
        inputs, outputs = tc.data_sets[0]
        if not (_tensor_only(inputs) and _tensor_only(outputs)):
            continue
        op = tc.model.graph.node[0].op_type if tc.model.graph.node else "?"
        rtol, atol = next((t for p, t in tolerances.items() if re.fullmatch(p, tc.name)),
                          (tc.rtol, tc.atol))
        cases.append(Case(tc.name, op, tc.model.SerializeToString(), list(inputs), list(outputs),
                          rtol, atol))
    return cases


def load_exclusions() -> dict[str, str]:
    """``name-regex  # reason`` per line; every entry needs a reason."""
    return {words[0]: reason for words, reason in _reasoned_lines(EXCLUDE_FILE)}


def _compare(actual: list[np.ndarray], expected: list[np.ndarray], rtol: float, atol: float) -> str:
    if len(actual) != len(expected):
        return f"{len(actual)} outputs, expected {len(expected)}"
    for i, (a, e) in enumerate(zip(actual, expected)):
        if a.shape != e.shape:
            return f"output {i}: shape {a.shape}, expected {e.shape}"
        if a.dtype != e.dtype:
            return f"output {i}: dtype {a.dtype}, expected {e.dtype}"
        if e.dtype.kind == "f":
            try:
                np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)
            except AssertionError as err:
                return f"output {i}: " + str(err).strip().splitlines()[-1][:160]
        elif not np.array_equal(a, e):
            return f"output {i}: values differ"
    return ""


# The outcome of a case on a runtime other than the reference one when none of its nodes runs on
# that runtime's own kernels: it runs the portable kernels, whose result the reference run reports.
PORTABLE = "portable"


class _AllPortable(Exception):
    pass


def _compile_case(case: Case, tmp: Path, runtime: str) -> tuple[object, dict[str, bytes] | None]:
    """Import + optimize + generate; returns (graph, files) or raises."""
    from runtimes import native_nodes

    from halo.codegen.emit import banner_lines, generate
    from halo.codegen.capabilities import load_capabilities
    from halo.codegen.targets import resolve
    from halo.compiler import CompileOptions, import_and_optimize

    from halo.errors import UnsupportedError

    path = tmp / f"{case.name}.onnx"
    path.write_bytes(case.model)
    model = onnx.ModelProto.FromString(case.model)
    feeds = {vi.name: arr for vi, arr in zip(model.graph.input, case.inputs)}
    frozen: dict[str, np.ndarray] = {}
    while True:  # parameters fed as inputs (axes, pads, scales, ...) are frozen, as a user would
        try:
            shapes = {k: tuple(v.shape) for k, v in feeds.items() if k not in frozen}
            options = CompileOptions(runtime=runtime, frozen_inputs=frozen, input_shapes=shapes)
            graph = import_and_optimize(path, options)
            break
        except UnsupportedError as e:
            m = re.search(r"'([^']+)' must be known at compile time", str(e))
            if not m:
                raise
            wanted = [m.group(1)] if m.group(1) in feeds else [  # derived: freeze integer inputs
                k for k, v in feeds.items() if v.dtype.kind in "iu"]
            wanted = [k for k in wanted if k not in frozen]
            if not wanted:
                raise
            frozen.update({k: feeds[k] for k in wanted})
    case.inputs = [arr for vi, arr in zip(model.graph.input, case.inputs) if vi.name not in frozen]
    if runtime == "emulator":
        return graph, None
    if runtime != "reference" and native_nodes(graph, runtime) == 0:
        raise _AllPortable
    gen = generate(graph, case.name, banner_lines(path.name, []), load_capabilities(runtime),
                   resolve(None), data_as_c=False)
    return graph, gen.files


def _load_libraries(compiled: list[tuple[Case, object, dict[str, bytes]]], runtime: str,
                    results: dict[str, str]) -> dict[str, ctypes.CDLL]:
    """Build the batch as one shared library; when that fails, bisect so that only the cases
    whose generated code does not build are reported (as build failures)."""
    from halo.errors import HaloError
    from halo.toolchain import build_model_library

    if not compiled:
        return {}
    merged: dict[str, bytes] = {}
    for _, _, files in compiled:
        merged.update(files)
    try:
        lib = ctypes.CDLL(str(build_model_library(merged, "batch", runtime)))
        return {case.name: lib for case, _, _ in compiled}
    except HaloError as e:
        if len(compiled) == 1:
            lines = str(e).splitlines()
            first = next((ln for ln in lines if "error:" in ln), lines[0])
            results[compiled[0][0].name] = "build: " + " ".join(first.split())[:240]
            return {}
    half = len(compiled) // 2
    return {**_load_libraries(compiled[:half], runtime, results),
            **_load_libraries(compiled[half:], runtime, results)}


def run_batch(cases: list[Case], runtime: str) -> dict[str, str]:
    """Compile and run ``cases`` in this process; map case name -> '' (pass) or failure text."""
    from halo.errors import HaloError
    from halo.reference import evaluate_graph
    from halo.run import check_inputs

    results: dict[str, str] = {}
    compiled = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for case in cases:
            try:
                graph, files = _compile_case(case, tmp, runtime)
                compiled.append((case, graph, files))
            except _AllPortable:
                results[case.name] = PORTABLE
            except HaloError as e:
                results[case.name] = "compile: " + " ".join(str(e).split())[:240]
            except Exception as e:  # noqa: BLE001 - a compiler bug is a failure to report, not a crash
                results[case.name] = f"BUG {type(e).__name__}: {str(e)[:160]}"
        libs = _load_libraries(compiled, runtime, results) if runtime != "emulator" else {}
        for case, graph, _ in compiled:
            if case.name in results:
                continue
            try:
                feeds = check_inputs(graph, case.inputs)
                if runtime == "emulator":
                    outs = evaluate_graph(graph, {v.name: a for v, a in zip(graph.inputs, feeds)})
                else:
                    outs = [np.empty(v.shape, v.dtype.np) for v in graph.outputs]
                    fn = getattr(libs[case.name], case.name)
                    args = [a.ctypes.data_as(ctypes.c_void_p) for a in [*feeds, *outs]]
                    rc = fn(*args)
                    if rc != 0:
                        results[case.name] = f"run: status {rc}"
                        continue
                results[case.name] = _compare(outs, case.outputs, case.rtol, case.atol)
            except HaloError as e:
                results[case.name] = "run: " + " ".join(str(e).split())[:240]
            except Exception as e:  # noqa: BLE001
                results[case.name] = f"BUG {type(e).__name__}: {traceback.format_exc(limit=1)[-160:]}"
    return results


def run_all(cases: list[Case], runtime: str, workers: int = 2) -> dict[str, str]:
    batches = [cases[i:i + BATCH] for i in range(0, len(cases), BATCH)]
    results: dict[str, str] = {}
    retry: list[Case] = []
    with ProcessPoolExecutor(workers) as pool:
        futures = [(b, pool.submit(run_batch, b, runtime)) for b in batches]
        for batch, fut in futures:
            try:
                results.update(fut.result())
            except BrokenProcessPool:
                retry.extend(batch)
    for case in retry:  # a crash: isolate it, one case per process
        if case.name in results:
            continue
        with ProcessPoolExecutor(1) as pool:
            try:
                results.update(pool.submit(run_batch, [case], runtime).result())
            except BrokenProcessPool:
                results[case.name] = "CRASH: the process died"
    return results


def report(cases: list[Case], results: dict[str, str], exclusions: dict[str, str]) -> dict[str, object]:
    per_op: dict[str, Counter[str]] = defaultdict(Counter)
    failed, excluded_passing = {}, []
    for case in cases:
        reason = next((r for p, r in exclusions.items() if re.fullmatch(p, case.name)), None)
        outcome = results.get(case.name, "not run")
        if outcome == PORTABLE:
            per_op[case.op]["portable"] += 1
        elif reason is not None:
            per_op[case.op]["excluded"] += 1
            if outcome == "":
                excluded_passing.append(case.name)
        elif outcome == "":
            per_op[case.op]["passed"] += 1
        else:
            per_op[case.op]["failed"] += 1
            failed[case.name] = outcome
    passed = sum(c["passed"] for c in per_op.values())
    portable = sum(c["portable"] for c in per_op.values())
    return {"total": len(cases), "passed": passed, "failed": failed,
            "excluded": sum(c["excluded"] for c in per_op.values()), "portable": portable,
            "pass_rate": passed / max(1, len(cases)),
            "native_pass_rate": passed / max(1, len(cases) - portable), "per_op": {k: dict(v) for k, v in sorted(per_op.items())},
            "excluded_but_passing": excluded_passing}


def markdown(rep: dict[str, object], runtime: str = "reference") -> str:
    portable = rep.get("portable", 0)
    native = rep["total"] - portable  # type: ignore[operator]
    scope = (f"{native} of the cases run nodes on {runtime}'s own kernels (the other {portable} "
             "only portable ones, as on the reference runtime): " if portable else "")
    lines = [f"ONNX backend node tests on {runtime} (tensor-only cases, onnx {onnx.__version__}): "
             f"{scope}**{rep['passed']}/{native} pass "
             f"({100 * rep['native_pass_rate']:.1f}%)**, "  # type: ignore[operator]
             f"{rep['excluded']} excluded, {len(rep['failed'])} failed.", "",  # type: ignore[arg-type]
             "| op | passed | excluded | failed | portable only |", "|---|---:|---:|---:|---:|"]
    for op, c in rep["per_op"].items():  # type: ignore[attr-defined]
        lines.append(f"| {op} | {c.get('passed', 0)} | {c.get('excluded', 0)} | {c.get('failed', 0)} "
                     f"| {c.get('portable', 0)} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runtime", default="reference")
    p.add_argument("--filter", default="", help="regex on case names")
    p.add_argument("--json", type=Path)
    p.add_argument("--markdown", type=Path)
    p.add_argument("--show-failures", action="store_true")
    a = p.parse_args(argv)
    cases = collect(a.filter)
    results = run_all(cases, a.runtime)
    rep = report(cases, results, load_exclusions())
    if a.show_failures:
        for name, why in sorted(rep["failed"].items()):  # type: ignore[attr-defined]
            print(f"FAIL {name}: {why}")
    print(markdown(rep, a.runtime))
    if a.json:
        a.json.write_text(json.dumps(rep, indent=1, sort_keys=True))
    if a.markdown:
        a.markdown.write_text(markdown(rep, a.runtime))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
