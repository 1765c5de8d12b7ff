"""The web app: ``kopru serve`` (FastAPI + uvicorn), pages and a JSON API over :mod:`kopru.api`."""

from kopru.web.app import create_app

__all__ = ["create_app"]
