"""MobileNetV2 (TFLite): Keras MobileNetV2 (width 1.0, inverted residuals, ReLU6) at 224x224,
weights=None with seeded weights and batch-norm statistics, through the TFLite converter; the
reference is tf.lite.Interpreter."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, keras_tflite_built

TITLE = "MobileNetV2"
FRAMEWORK = "TFLite"


def build(folder: Path) -> Built:
    return keras_tflite_built("MobileNetV2", 224, folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
