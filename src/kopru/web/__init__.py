"""The web app: ``kopru serve`` (FastAPI + uvicorn), pages and a JSON API over :mod:`kopru.api`.

``create_app`` loads on first use, so the command line can register ``serve`` without importing
FastAPI (one second of start-up every ``kopru`` command would otherwise pay).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from kopru.web.app import create_app

        return create_app
    raise AttributeError(f"module 'kopru.web' has no attribute {name!r}")
