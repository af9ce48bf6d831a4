"""Typed access to an operator's builtin options; fields a converter does not read are rejected."""

from __future__ import annotations

from typing import Any

import numpy as np

from halo.errors import ModelError, UnsupportedError
from halo.frontends.tflite import schema
from halo.frontends.tflite.model import Operator


class Options:
    def __init__(self, op: Operator, where: str) -> None:
        self._op = op
        self._where = where
        self._table_name = schema.OP_OPTIONS.get(op.op, "")
        self.fields = schema.OPTION_TABLES[self._table_name][1] if self._table_name else {}
        self._read: set[str] = set()
        if op.options is not None and self._table_name:
            expected = schema.OPTION_TABLES[self._table_name][0]
            if op.options_code != expected:
                carried = schema.OPTION_CODES.get(
                    op.options_code, f"option table #{op.options_code}"
                )
                raise ModelError(
                    f"{where} carries {carried}, expected {self._table_name}",
                    hint="the .tflite file is corrupt; convert the model again",
                )

    def _value(self, name: str) -> Any:
        slot, fmt, default = self.fields[name]
        t = self._op.options
        if t is None:
            return default
        if fmt == "[i":
            arr = t.array(slot, "i4", name)
            return default if arr is None else tuple(int(v) for v in arr)
        value = t.scalar(slot, fmt, default)  # type: ignore[arg-type]
        return float(np.float32(value)) if fmt == "f" else value

    def __getitem__(self, name: str) -> Any:
        self._read.add(name)
        return self._value(name)

    def ignore(self, *names: str) -> None:
        """Mark fields as understood although they do not change float semantics."""
        self._read.update(names)

    def check_all_read(self) -> None:
        t = self._op.options
        if t is None:
            return
        by_slot = {slot: name for name, (slot, _, _) in self.fields.items()}
        unknown = []
        for slot in t.present_slots():
            name = by_slot.get(slot)
            if name is None:
                unknown.append(f"field #{slot}")
            elif name not in self._read and self._value(name) != self.fields[name][2]:
                unknown.append(name)
        if unknown:
            raise UnsupportedError(
                f"{self._where} sets {self._table_name or 'options'} this converter does not "
                f"understand: {', '.join(unknown)}",
                hint="known fields: " + (", ".join(sorted(self._read)) or "none"),
            )
