"""Caffe frontend: a deploy .prototxt with its .caffemodel weights.

- The schema is caffe.proto (BVLC layers plus SSD's and the YOLO ports' Upsample), turned into
  message classes at import time (proto.py); only ``protobuf`` is needed.
- Weights come from ``--weights`` or, when that is not given, from ``<stem>.caffemodel`` next to
  the .prototxt; layers are matched by name (also legacy V1 ``layers`` in old .caffemodel files).
- The TEST-phase net is compiled (include/exclude rules). Net outputs follow Caffe: blobs no later
  layer reads, in name order.
- A blob written in place keeps its Caffe name on its final version; earlier versions are named
  ``blob@layer`` (e.g. ``conv1@conv1`` is conv1 before its in-place ReLU), for --outputs.
- PriorBox is folded to a constant. DetectionOutput is decomposed into IR ops (see nms.py): its
  output has a static shape [1, 1, N * R, 7] whose rows past the detections of each image are -1.
"""

from __future__ import annotations

import importlib
import pkgutil

from halo.frontends.caffe.loader import load

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name.startswith("layers_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["load"]
