"""A small, bounds-checked FlatBuffers reader (only what the TFLite schema needs).

Format facts used here: all integers are little-endian; the buffer starts with a uint32 offset to
the root table; a table starts with an int32 whose value, subtracted from the table's position,
gives its vtable; a vtable is uint16 [vtable bytes, table bytes, field offset...] where a field
offset of 0 means "absent, use the default"; reference fields (tables, vectors, strings) hold a
uint32 offset relative to the field's own position; a vector or string starts with a uint32
element count. Every position is checked against the buffer before it is read, so a corrupt file
produces a ModelError that names the field, never an IndexError or a struct.error.
"""

from __future__ import annotations

import struct

import numpy as np

from halo.errors import ModelError

_HINT = "the .tflite file is truncated or corrupt; convert the model again"


class Table:
    """One FlatBuffers table. ``where`` names it in errors (e.g. 'subgraph 0 > tensor 3')."""

    def __init__(self, buf: bytes | memoryview, pos: int, where: str) -> None:
        self.buf = buf
        self.pos = pos
        self.where = where
        self._check(pos, 4, "table")
        vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self._check(vt, 4, "vtable")
        self._vt_len, self._obj_len = struct.unpack_from("<HH", buf, vt)
        if self._vt_len < 4 or self._vt_len % 2:
            raise self.error(f"vtable size {self._vt_len} is invalid")
        self._check(vt, self._vt_len, "vtable")
        self._vt = vt

    def error(self, msg: str) -> ModelError:
        return ModelError(f"corrupt TFLite flatbuffer at {self.where}: {msg}", hint=_HINT)

    def _check(self, pos: int, size: int, what: str) -> None:
        if pos < 0 or size < 0 or pos + size > len(self.buf):
            raise self.error(
                f"{what} at byte {pos} (+{size}) lies outside the file ({len(self.buf)} bytes)"
            )

    @property
    def num_slots(self) -> int:
        return (self._vt_len - 4) // 2

    def slot_pos(self, slot: int) -> int | None:
        """Absolute position of field ``slot``, or None when the field is absent."""
        if slot >= self.num_slots:
            return None
        off = struct.unpack_from("<H", self.buf, self._vt + 4 + 2 * slot)[0]
        if off == 0:
            return None
        if off >= self._obj_len:
            raise self.error(
                f"field {slot} at offset {off} is outside the table ({self._obj_len} bytes)"
            )
        return self.pos + off

    def present_slots(self) -> list[int]:
        return [s for s in range(self.num_slots) if self.slot_pos(s) is not None]

    def scalar(self, slot: int, fmt: str, default: float | bool) -> int | float | bool:
        """A scalar field; ``fmt`` is a struct code (b B h H i I q Q f d ?)."""
        pos = self.slot_pos(slot)
        if pos is None:
            return default
        self._check(pos, struct.calcsize(fmt), f"field {slot}")
        return struct.unpack_from("<" + fmt, self.buf, pos)[0]

    def target(self, slot: int) -> int | None:
        """Where reference field ``slot`` points (a table, vector or string); None when absent."""
        pos = self.slot_pos(slot)
        if pos is None:
            return None
        self._check(pos, 4, f"field {slot}")
        return pos + struct.unpack_from("<I", self.buf, pos)[0]

    def table(self, slot: int, name: str) -> Table | None:
        target = self.target(slot)
        return None if target is None else Table(self.buf, target, f"{self.where} > {name}")

    def _vector(self, slot: int, item_size: int, name: str) -> tuple[int, int] | None:
        """(position of the first element, element count), both checked against the buffer."""
        target = self.target(slot)
        if target is None:
            return None
        self._check(target, 4, f"{name} length")
        count = struct.unpack_from("<I", self.buf, target)[0]
        if count * item_size > len(self.buf) - target - 4:
            raise self.error(
                f"{name} claims {count} elements of {item_size} bytes, more than the "
                "rest of the file holds"
            )
        return target + 4, count

    def array(self, slot: int, dtype: str, name: str) -> np.ndarray | None:
        """A vector of scalars as a native-endian numpy array (None when absent)."""
        dt = np.dtype(dtype).newbyteorder("<")
        vec = self._vector(slot, dt.itemsize, name)
        if vec is None:
            return None
        start, count = vec
        return np.frombuffer(self.buf, dt, count, start).astype(dt.newbyteorder("="))

    def raw_bytes(self, slot: int, name: str) -> memoryview | None:
        vec = self._vector(slot, 1, name)
        if vec is None:
            return None
        start, count = vec
        return memoryview(self.buf)[start : start + count]

    def string(self, slot: int, name: str) -> str:
        raw = self.raw_bytes(slot, name)
        return "" if raw is None else bytes(raw).decode("utf-8", errors="replace")

    def tables(self, slot: int, name: str) -> list[Table]:
        vec = self._vector(slot, 4, name)
        if vec is None:
            return []
        start, count = vec
        out = []
        for i in range(count):
            p = start + 4 * i
            out.append(
                Table(
                    self.buf,
                    p + struct.unpack_from("<I", self.buf, p)[0],
                    f"{self.where} > {name} {i}",
                )
            )
        return out


def root_table(buf: bytes, where: str) -> Table:
    if len(buf) < 8:
        raise ModelError(
            f"{where} is {len(buf)} bytes long, too short for a TFLite model", hint=_HINT
        )
    root = struct.unpack_from("<I", buf, 0)[0]
    return Table(buf, root, where)
