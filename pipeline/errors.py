"""Errors a user can act on.

Every exception here carries a message that says what is wrong and where (file, row, column or
step), so the CLI and the API can show it as it is, without a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class SteplensError(Exception):
    """Base class for problems with the user's input or set-up, shown as a clean message."""


class JourneyError(SteplensError):
    """A journey definition that cannot be found or is not valid."""


class InputFileError(SteplensError):
    """An input or output table that cannot be read or written as asked."""


class MissingDependencyError(SteplensError):
    """An optional or model package that is not installed; the message names the install."""


@contextlib.contextmanager
def model_files(error: type[SteplensError], what: str, rebuild: str) -> Iterator[None]:
    """Read a model directory inside this block: a file that is missing, unreadable or not what
    it should be (bad JSON, a missing key, a broken safetensors file) becomes ``error``, saying
    ``what`` is broken and how to ``rebuild`` it, instead of a traceback."""
    from safetensors import SafetensorError

    try:
        yield
    except (OSError, ValueError, KeyError, SafetensorError) as exc:
        raise error(f"{what}: missing or corrupt ({exc}); {rebuild}") from None
