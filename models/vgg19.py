"""VGG-19 (TensorFlow): Keras VGG19 (16 3x3 convolutions, fc 4096-4096-1000: 144M parameters)
at 224x224; weights=None, then seeded weights (tests/frontends/tf_util.py randomize), frozen to
a .pb (test_tensorflow._keras_pb). The reference is TensorFlow running that .pb."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, keras_pb_built

TITLE = "VGG-19"
FRAMEWORK = "TensorFlow"


def build(folder: Path) -> Built:
    return keras_pb_built("VGG19", 224, folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
