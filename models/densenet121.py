"""DenseNet-121 (TensorFlow): Keras DenseNet121 (dense blocks of 6, 12, 24 and 16 layers,
growth rate 32, transition layers) at 224x224; weights=None, then seeded weights and batch-norm
statistics (tests/frontends/tf_util.py randomize), frozen to a .pb (test_tensorflow._keras_pb).
The reference is TensorFlow running that .pb."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, keras_pb_built

TITLE = "DenseNet-121"
FRAMEWORK = "TensorFlow"


def build(folder: Path) -> Built:
    return keras_pb_built("DenseNet121", 224, folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
