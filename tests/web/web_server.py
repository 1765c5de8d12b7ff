"""A real uvicorn server in a thread on 127.0.0.1 and a free port, for the web tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Yield the base URL of ``app`` served by uvicorn; stop the server on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # port 0: the OS picks a free one, no race with a guessed number
    port = sock.getsockname()[1]
    # ws="none": uvicorn would otherwise import websockets, whose deprecation warnings fail tests.
    # timeout_keep_alive: uvicorn closes an idle connection after 5 s by default, and a test whose
    # client waits about that long between requests (command-line runs in between) could send on a
    # connection the server was closing: "Server disconnected without sending a response" (seen once
    # on a fresh clone). The tests' client keeps its connections; the server keeps them as long.
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=2,
        timeout_keep_alive=120,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def with_boom(app: FastAPI) -> FastAPI:
    """``app`` with GET /api/_boom, which fails with internals in its message that must not leak."""

    @app.get("/api/_boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("internal detail /etc/secret that must not leak")

    return app


def finished(client: httpx.Client, job_id: str, seconds: float = 120) -> dict:
    """Poll GET /api/jobs/{id} until the job is done or failed (an AssertionError after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")
