"""The ``files`` source's public names, kept where they have always been imported from.

The source itself (folders, the index, the lazy catalog) is :mod:`hypecheck.data.folder`; each file
format is one module of :mod:`hypecheck.data.formats`, whose docstring gives the detection order and
the validation rules."""

from __future__ import annotations

from .folder import FilesSource, FolderIndex, cache_dir, detect_format, load_file, read_file
from .formats import FORMATS, PIPELINE
from .formats.base import DEFAULT_MAX_BYTES, FRED_ID, MAX_CELL_CHARS, MAX_NAME_CHARS, YIELD_INDICES
from .formats.values import GAP_DAYS

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "FRED_ID",
    "GAP_DAYS",
    "MAX_CELL_CHARS",
    "MAX_NAME_CHARS",
    "PIPELINE",
    "YIELD_INDICES",
    "FilesSource",
    "FolderIndex",
    "cache_dir",
    "detect_format",
    "load_file",
    "read_file",
]
