"""Shared test helpers: build ONNX models in code, run them through HALO and ONNX Runtime."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
