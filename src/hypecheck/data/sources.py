"""Offline sources (``files``, ``bundled``): the names kept for their callers; the one registry is
:mod:`hypecheck.data.registry`."""

from __future__ import annotations

from .registry import BUILTIN_SOURCES as BUILTIN
from .registry import SOURCES as REGISTRY
from .registry import Source, get_source, register_source

__all__ = ["BUILTIN", "REGISTRY", "Source", "get_source", "register_source"]
