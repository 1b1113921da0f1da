"""Errors a user can act on.

Every exception here carries a message that says what is wrong and where (file, row, column or
step), so the CLI and the API can show it as it is, without a traceback.
"""

from __future__ import annotations


class SteplensError(Exception):
    """Base class for problems with the user's input or set-up, shown as a clean message."""


class JourneyError(SteplensError):
    """A journey definition that cannot be found or is not valid."""


class InputFileError(SteplensError):
    """An input or output table that cannot be read or written as asked."""


class MissingDependencyError(SteplensError):
    """An optional or model package that is not installed; the message names the install."""
