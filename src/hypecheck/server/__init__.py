"""The local dashboard: ``hypecheck serve`` (FastAPI app, JSON API documented with OpenAPI)."""

from .app import create_app

__all__ = ["create_app"]
