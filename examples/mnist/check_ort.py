"""Classify the held-out digits with ONNX Runtime, printing what the compiled example prints.

    python check_ort.py [mnist.onnx] [digits_test.bin]

Output (the same two lines as the `mnist` program built by CMake, so the two can be compared):

    predictions: <one digit 0-9 per held-out image>
    accuracy: 0.9833 (354/360)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import digits
import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent


def predict(model: Path, inputs: np.ndarray) -> np.ndarray:
    """Run `model` on each [1, 1, 8, 8] input in turn (its batch size is 1); return the argmaxes."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    logits = [session.run(None, {name: image[None]})[0] for image in inputs]
    return np.concatenate(logits).argmax(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, nargs="?", default=HERE / "mnist.onnx")
    parser.add_argument("digits", type=Path, nargs="?", default=HERE / "digits_test.bin")
    args = parser.parse_args()
    inputs, labels = digits.read(args.digits)
    predicted = predict(args.model, inputs)
    correct = int((predicted == labels).sum())
    print("predictions: " + "".join(str(int(p)) for p in predicted))
    print(f"accuracy: {correct / len(labels):.4f} ({correct}/{len(labels)})")


if __name__ == "__main__":
    main()
