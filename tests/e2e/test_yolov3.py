"""examples/yolov3: the compiled heads against ONNX Runtime (YOLOv3 itself and the trained
detector), the trained detector's recall on fresh images, and the C++ application (built with
CMake) against the numpy post-processing of examples/yolov3/postprocess.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from halo.compiler import CompileOptions, import_and_optimize
from halo.run import build_library
from halo.runtime import Model
from mnist_example import REPO, build, configure, require_tools, run

EXAMPLE = REPO / "examples" / "yolov3"
sys.path.insert(0, str(EXAMPLE))
import make_yolov3  # noqa: E402
import postprocess  # noqa: E402
import shapes  # noqa: E402

ort = pytest.importorskip("onnxruntime")

# For --dist loadgroup: the module fixtures (a compiled detector, a CMake build) on one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_yolov3")]

DETECTOR = EXAMPLE / "detector.onnx"
SIZE = 128  # the detector's training size (train_detector.SIZE)


def _options(size: int, heads: tuple[str, ...]) -> CompileOptions:
    return CompileOptions(
        name="yolo", input_shapes={"input": (1, 3, size, size)}, outputs=heads, layout="nhwc"
    )


def _compiled(model: Path, options: CompileOptions) -> Model:
    graph = import_and_optimize(model, options)
    assert [v.shape[-1] for v in graph.inputs] == [3]  # NHWC at the boundary
    so, name = build_library(model, graph, options)
    return Model(so, name)


def _onnxruntime_heads(model: Path, heads: tuple[str, ...], x_nhwc: np.ndarray) -> list[np.ndarray]:
    """ONNX Runtime's values of the raw heads (added as graph outputs), NHWC."""
    m = onnx.load(str(model))
    m.graph.output.extend(onnx.helper.make_empty_tensor_value_info(h) for h in heads)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(list(heads), {"input": np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2))})
    return [o.transpose(0, 2, 3, 1) for o in outs]


def _close(actual: list[np.ndarray], expected: list[np.ndarray], rtol: float) -> None:
    for a, e in zip(actual, expected):
        assert a.shape == e.shape
        assert np.abs(a - e).max() <= rtol * np.abs(e).max(), np.abs(a - e).max()


@pytest.fixture(scope="module")
def detector():
    with _compiled(DETECTOR, _options(SIZE, ("head_32", "head_16"))) as model:
        yield model


def test_detector_heads_match_onnxruntime(detector: Model) -> None:
    img, _, _ = shapes.sample(np.random.default_rng(11), SIZE)
    x, _ = postprocess.letterbox(img, SIZE)
    _close(detector(x), _onnxruntime_heads(DETECTOR, ("head_32", "head_16"), x), 1e-4)


def test_detector_finds_the_shapes_in_fresh_images(detector: Model) -> None:
    """Recall at IoU 0.5 over 100 images the detector never saw (training used seed 0)."""
    meta = postprocess.Meta.read(DETECTOR.with_suffix(".meta"))
    rng = np.random.default_rng(2026)
    hits = total = 0
    for _ in range(100):
        img, boxes, labels = shapes.sample(rng, SIZE)
        x, box = postprocess.letterbox(img, SIZE)
        h, n = postprocess.recall(postprocess.detect(detector(x), meta, box), boxes, labels)
        hits, total = hits + h, total + n
    assert hits / total >= 0.9, f"recall {hits}/{total}"


@pytest.mark.slow
def test_yolov3_heads_match_onnxruntime(tmp_path: Path) -> None:
    """Darknet-53 + three heads at 320x320 (the input-shape override of the symbolic input)."""
    path = tmp_path / "yolov3.onnx"
    run([sys.executable, EXAMPLE / "make_yolov3.py", "-o", path])
    heads = make_yolov3.HEADS
    x = np.random.default_rng(5).uniform(0, 1, (1, 320, 320, 3)).astype(np.float32)
    with _compiled(path, _options(320, heads)) as model:
        assert [t.shape for t in model.outputs] == [
            (1, 10, 10, 255),
            (1, 20, 20, 255),
            (1, 40, 40, 255),
        ]
        _close(model(x), _onnxruntime_heads(path, heads, x), 1e-3)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tools("cmake", "ninja", "g++")
    root = tmp_path_factory.mktemp("yolov3")
    configure(EXAMPLE, root)
    build(root)
    return root / "yolo_demo"


def _parse(output: str) -> list[tuple[str, float, tuple[float, ...]]]:
    found = []
    for line in output.splitlines():
        if line.startswith("detection "):
            _, name, score, *box = line.split()
            found.append((name, float(score), tuple(float(v) for v in box)))
    return found


@pytest.mark.parametrize("seed,suffix", [(1, ".png"), (2, ".ppm"), (3, ".png")])
def test_app_matches_the_numpy_postprocessing(
    app: Path, detector: Model, tmp_path: Path, seed: int, suffix: str
) -> None:
    """The app's detections (letterbox, model, decode, NMS, mapping back in C++) against
    postprocess.py over the same compiled heads; a non-square image exercises the letterbox."""
    img, _, _ = shapes.sample(np.random.default_rng(seed), 160)
    img = img[:, 16:144] if seed == 3 else img[:112]  # 160 x 128 or 112 x 160
    image = tmp_path / f"in{suffix}"
    shapes.write_image(image, img)
    out = run([app, image, "--out", tmp_path / "boxes.png"])
    assert (tmp_path / "boxes.png").read_bytes()[:4] == b"\x89PNG"
    meta = postprocess.Meta.read(DETECTOR.with_suffix(".meta"))
    x, box = postprocess.letterbox(img, SIZE)
    expected = postprocess.detect(detector(x), meta, box)
    got = _parse(out)
    assert len(got) == len(expected) and expected, out
    for (name, score, coords), (cls, e_score, e_box) in zip(got, expected):
        assert name == meta.classes[cls]
        assert abs(score - e_score) < 2e-3
        np.testing.assert_allclose(coords, e_box, atol=0.15)


def test_app_reports_a_bad_image(app: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    proc = subprocess.run([app, bad], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "cannot read the PNG" in proc.stderr, proc.stderr
    proc = subprocess.run(
        [app, tmp_path / "missing.ppm"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "cannot open" in proc.stderr, proc.stderr
