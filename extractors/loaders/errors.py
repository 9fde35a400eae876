"""The one error a loader raises: a stable `error_type` for `curated/errors` and a sentence to act on."""
from __future__ import annotations


class LoadError(Exception):
    """A source that cannot be loaded; `error_type` is a stable code for `curated/errors`."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
