"""Classify the held-out MNIST digits from Python with a model library HALO built.

    python examples/python/classify_digits.py [--runtime reference] [--library libmnist.so]

Without --library, the script first compiles examples/mnist/mnist.onnx into one shared library
(code, weights and the ODLA runtime), as `halo compile mnist.onnx -o build/python/libmnist.so`
would. It loads that library with `halo.runtime.Model`, classifies the 360 held-out digits and
prints its accuracy next to ONNX Runtime's on the same digits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from halo.compiler import CompileOptions, compile_model
from halo.runtime import Model

MNIST = Path(__file__).resolve().parents[1] / "mnist"
sys.path.insert(0, str(MNIST))
import check_ort  # noqa: E402  (examples/mnist: ONNX Runtime's predictions)
import digits  # noqa: E402  (examples/mnist: reads digits_test.bin)


def build_library(runtime: str, out: Path) -> Path:
    library = out / "libmnist.so"
    compile_model(MNIST / "mnist.onnx", out, CompileOptions(runtime=runtime), library=library)
    return library


def accuracy(predicted: np.ndarray, labels: np.ndarray) -> str:
    correct = int((predicted == labels).sum())
    return f"accuracy: {correct / len(labels):.4f} ({correct}/{len(labels)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", default="reference", help="ODLA runtime (default reference)")
    parser.add_argument("--library", type=Path, help="a libmnist.so built by halo")
    parser.add_argument("--out", type=Path, default=Path("build/python"), help="build folder")
    args = parser.parse_args()

    library = args.library or build_library(args.runtime, args.out)
    images, labels = digits.read(MNIST / "digits_test.bin")
    with Model(library) as model:
        print(model)
        predicted = np.array([model(image[None])[0].argmax() for image in images])
    expected = check_ort.predict(MNIST / "mnist.onnx", images)
    print(f"HALO ({library.name}): {accuracy(predicted, labels)}")
    print(f"ONNX Runtime:        {accuracy(expected, labels)}")
    differ = int((predicted != expected).sum())
    print("identical predictions on all digits" if not differ else f"{differ} predictions differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
