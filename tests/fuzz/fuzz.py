"""A seeded mutation fuzzer for the four frontends.

    python tests/fuzz/fuzz.py --frontend onnx --iterations 2000 --seed 1
    python tests/fuzz/fuzz.py --frontend all --iterations 100000000 --minutes 10   # 10 min each

Mutant ``i`` of seed ``S`` is always the same file, so a crash is reproduced with
``--seed S --start i --iterations 1``. The mutants run in a worker process whose address space
is capped (``--memory-gb``) and every case has a time limit (``--time-limit``); the only outcomes
the contract allows are a graph or a HaloError. Anything else (another exception, a timeout, a
MemoryError, a dead worker) is a crash: its files and traceback go to ``--crash-dir``."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
FRONTENDS = ("onnx", "tensorflow", "tflite", "caffe")
OK, ERROR, CRASH = "ok", "error", "crash"


@dataclass
class Report:
    frontend: str
    seed: int
    counts: dict[str, int] = field(default_factory=lambda: {OK: 0, ERROR: 0, CRASH: 0})
    crashes: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        rate = self.total / self.seconds if self.seconds else 0.0
        sigs = sorted({c["signature"] for c in self.crashes})
        return (
            f"{self.frontend}: {self.total} mutants in {self.seconds:.1f} s ({rate:.1f}/s): "
            f"{self.counts[OK]} ok, {self.counts[ERROR]} HaloError, {self.counts[CRASH]} "
            f"crashes ({len(sigs)} distinct)" + "".join(f"\n  {s}" for s in sigs)
        )


# ---- the worker ----------------------------------------------------------------------------


class CaseTimeout(BaseException):
    """Raised by SIGALRM inside a case that ran past its time limit."""


def _alarm(signum: int, frame: object) -> None:
    raise CaseTimeout()


def _signature(exc: BaseException) -> str:
    """Exception type and the innermost frame inside halo (or the innermost frame at all)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/halo/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(exc).__name__} at {where}"


INPUT_NAMES = {"onnx": "x", "tensorflow": "x", "tflite": "x", "caffe": "data"}  # the seeds'


def input_shape(frontend: str, rng: object) -> dict[str, tuple[int, ...]]:
    """Now and then an --input-shape override (odd ranks and sizes) along with the mutant."""
    import numpy as np

    assert isinstance(rng, np.random.Generator)
    if rng.random() > 0.15:
        return {}
    rank = int(rng.choice([0, 1, 2, 3, 4, 5, 65]))
    dims = rng.choice([1, 2, 3, 7, 8, 16, 1 << 16, 1 << 32], size=rank)
    return {INPUT_NAMES[frontend]: tuple(int(d) for d in dims)}


def run_target(files: list[Path], shapes: dict[str, tuple[int, ...]] | None = None) -> None:
    """What `halo info` does: import, optimize and summarize."""
    from halo.analysis import summary
    from halo.compiler import CompileOptions, import_and_optimize

    weights = next((f for f in files if f.suffix == ".caffemodel"), None)
    options = CompileOptions(weights=weights, input_shapes=shapes or {})
    summary(import_and_optimize(files[0], options))


def _emit(record: dict) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def worker(
    frontend: str,
    seed: int,
    start: int,
    stop: int,
    limit: float,
    crash_dir: Path,
    deadline: float = float("inf"),
) -> None:
    import numpy as np
    from halo.errors import HaloError
    from mutate import mutate_bytes, mutators
    from seeds import SEEDS

    seeds = SEEDS[frontend]()
    mutate = mutators()[frontend]
    signal.signal(signal.SIGALRM, _alarm)
    work = Path(tempfile.mkdtemp(prefix=f"halo-fuzz-{frontend}-"))
    for i in range(start, stop):
        if time.time() >= deadline:  # --minutes: stop between cases
            break
        rng = np.random.default_rng([seed, i])
        base = seeds[int(rng.integers(len(seeds)))]
        try:
            mutant = base
            for _ in range(int(rng.integers(1, 4))):  # one to three stacked edits
                mutant = mutate(mutant, rng)
        except Exception:  # noqa: BLE001 - a mutation the format cannot hold: flip bytes instead
            first = next(iter(base))
            mutant = {**base, first: mutate_bytes(base[first], rng)}
        shutil.rmtree(work)
        work.mkdir()
        files = []
        for name, data in mutant.items():
            (work / name).write_bytes(data)
            files.append(work / name)
        shapes = input_shape(frontend, rng)
        if shapes:
            (work / "input_shape.txt").write_text(repr(shapes))
        _emit({"start": i, "dir": str(work)})
        record: dict = {"i": i, "outcome": OK}
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            run_target(files, shapes)
        except HaloError:
            record["outcome"] = ERROR
        except BaseException as e:  # noqa: BLE001 - everything else is what we are looking for
            signal.setitimer(signal.ITIMER_REAL, 0)
            text = traceback.format_exc()
            sig = "timeout" if isinstance(e, CaseTimeout) else _signature(e)
            record.update(
                outcome=CRASH, signature=sig, dir=_save(crash_dir, frontend, seed, i, work, text)
            )
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        _emit(record)
    shutil.rmtree(work, ignore_errors=True)


def _save(crash_dir: Path, frontend: str, seed: int, i: int, work: Path, text: str) -> str:
    dest = crash_dir / f"{frontend}-s{seed}-i{i}"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(work, dest)
    (dest / "traceback.txt").write_text(text)
    return str(dest)


# ---- the parent ----------------------------------------------------------------------------


def _limit_memory(gib: float) -> None:
    cap = int(gib * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def campaign(
    frontend: str,
    iterations: int,
    seed: int = 0,
    start: int = 0,
    *,
    time_limit: float = 10.0,
    memory_gb: float = 4.0,
    crash_dir: Path | None = None,
    verbose: bool = False,
    minutes: float | None = None,
) -> Report:
    """Run mutants ``start .. start+iterations`` of ``seed`` through ``frontend`` (with
    ``minutes``, those that start before that much time has passed)."""
    crash_dir = crash_dir or Path(tempfile.gettempdir()) / "halo-fuzz-crashes"
    crash_dir.mkdir(parents=True, exist_ok=True)
    report, t0, stop = Report(frontend, seed), time.monotonic(), start + iterations
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "HALO_MAX_TENSOR_BYTES": "256M",
        "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path]),
    }
    deadline = time.time() + minutes * 60 if minutes else float("inf")
    nxt = start
    while nxt < stop and time.time() < deadline:
        cmd = [
            sys.executable,
            str(Path(__file__)),
            "--worker",
            "--frontend",
            frontend,
            "--seed",
            str(seed),
            "--start",
            str(nxt),
            "--iterations",
            str(stop - nxt),
            "--time-limit",
            str(time_limit),
            "--crash-dir",
            str(crash_dir),
            "--deadline",
            str(deadline),
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            preexec_fn=lambda: _limit_memory(memory_gb),
        )
        nxt = _collect(proc, report, nxt, stop, time_limit, crash_dir, seed, verbose)
    report.seconds = time.monotonic() - t0
    return report


def _collect(
    proc: subprocess.Popen,
    report: Report,
    nxt: int,
    stop: int,
    limit: float,
    crash_dir: Path,
    seed: int,
    verbose: bool,
) -> int:
    """Read the worker's records; when it dies or hangs mid-case, count a crash and go on."""
    import selectors

    sel = selectors.DefaultSelector()
    assert proc.stdout is not None
    sel.register(proc.stdout, selectors.EVENT_READ)
    current: dict | None = None
    while True:
        wait = 120.0 if current is None else limit + 20.0  # the first case waits for imports
        if not sel.select(timeout=wait):
            proc.kill()
            why = "hang (no progress)"
            break
        line = proc.stdout.readline()
        if not line:
            status = proc.wait()
            if status == 0 and current is None:  # stopped at the deadline, between cases
                sel.close()
                return nxt
            why = f"worker died (status {status})"
            break
        rec = json.loads(line)
        if "start" in rec:
            current = rec
            continue
        current = None
        report.counts[rec["outcome"]] += 1
        if rec["outcome"] == CRASH:
            report.crashes.append(rec)
            if verbose:
                print(f"  crash #{rec['i']}: {rec['signature']} -> {rec['dir']}", flush=True)
        nxt = rec["i"] + 1
    proc.wait()
    sel.close()
    if current is None:
        if nxt < stop and why:  # died between cases: a harness bug, do not loop on it
            raise RuntimeError(f"fuzz worker for {report.frontend} {why} before case {nxt}")
        return stop
    i = current["start"]
    work = Path(current["dir"])
    dest = _save(crash_dir, report.frontend, seed, i, work, why) if work.exists() else ""
    report.counts[CRASH] += 1
    report.crashes.append({"i": i, "outcome": CRASH, "signature": why, "dir": dest})
    if verbose:
        print(f"  crash #{i}: {why} -> {dest}", flush=True)
    return i + 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frontend", choices=[*FRONTENDS, "all"], default="all")
    p.add_argument("--iterations", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per mutant")
    p.add_argument("--memory-gb", type=float, default=4.0, help="address-space cap of the worker")
    p.add_argument("--crash-dir", type=Path, default=None)
    p.add_argument("--minutes", type=float, default=None, help="stop each frontend after this")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--deadline", type=float, default=float("inf"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        sys.path.insert(0, str(HERE))
        worker(
            a.frontend,
            a.seed,
            a.start,
            a.start + a.iterations,
            a.time_limit,
            a.crash_dir,
            a.deadline,
        )
        return 0
    crashes = 0
    for fw in FRONTENDS if a.frontend == "all" else (a.frontend,):
        r = campaign(
            fw,
            a.iterations,
            a.seed,
            a.start,
            time_limit=a.time_limit,
            memory_gb=a.memory_gb,
            crash_dir=a.crash_dir,
            verbose=True,
            minutes=a.minutes,
        )
        print(r.line(), flush=True)
        crashes += r.counts[CRASH]
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
