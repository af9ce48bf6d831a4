"""Inception v3 (TensorFlow): Keras InceptionV3 (factorized 7x7 convolutions, grid-size
reductions, batch norm) at its standard 299x299; weights=None, then seeded weights and batch-norm
statistics (tests/frontends/tf_util.py randomize), frozen to a .pb (test_tensorflow._keras_pb).
The reference is TensorFlow running that .pb."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, keras_pb_built

TITLE = "Inception v3"
FRAMEWORK = "TensorFlow"


def build(folder: Path) -> Built:
    return keras_pb_built("InceptionV3", 299, folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
