"""Every error a user can cause derives from HaloError; the CLI turns it into exit status 2."""

from __future__ import annotations


class HaloError(Exception):
    """A problem with the user's input, described with what to do about it (``hint``)."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}\n  fix: {self.hint}" if self.hint else text


class ModelError(HaloError):
    """The model file is missing, unreadable, corrupt or inconsistent."""


class UnsupportedError(HaloError):
    """The model uses ops, attributes or types the compiler or the runtime does not support."""


class OptionError(HaloError):
    """A command-line or API option is malformed or names something that does not exist."""


class TargetError(HaloError):
    """An unknown target triple or a target the toolchain cannot build for."""


class ToolchainError(HaloError):
    """The C++ compiler or linker failed on generated code or a runtime."""


class RuntimeExecError(HaloError):
    """A compiled model returned a failure status or was given wrong inputs."""
