"""ResNet v2-50 (TensorFlow): Keras ResNet50V2 (pre-activation bottleneck blocks, 3/4/6/3) at
224x224; weights=None, then seeded weights and batch-norm statistics (tests/frontends/tf_util.py
randomize), frozen to a .pb (test_tensorflow._keras_pb). The reference is TensorFlow running
that .pb."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, keras_pb_built

TITLE = "ResNet v2-50"
FRAMEWORK = "TensorFlow"


def build(folder: Path) -> Built:
    return keras_pb_built("ResNet50V2", 224, folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
