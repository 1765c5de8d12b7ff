"""``kopru serve``: the web app on uvicorn."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer

from kopru.errors import OptionError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; 0.0.0.0 exposes the app to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Scenario store (DuckDB file) the app records runs in and lists them from;"
            " default KOPRU_STORE or the user's data folder, as for kopru runs.",
        ),
    ] = None,
) -> None:
    """Serve the web app (Sites, Plan, Runs, API docs at /docs). Set KOPRU_TOKEN to require a token."""
    import uvicorn  # the server and the app load only when this command runs

    from kopru.store import open_store
    from kopru.web.app import create_app

    open_store(store).check()  # a text file or a folder given as --store: refused before serving
    _check_address(host, port)  # before anything is announced (a CLI review: uvicorn's own error, exit 3)

    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(
            f"warning: serving on {host}, reachable from other machines; set KOPRU_TOKEN to require a token",
            err=True,
        )
    typer.echo(f"kopru web app on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(
        create_app(scenario_store=store), host=host, port=port, log_level="warning", server_header=False
    )


def _check_address(host: str, port: int) -> None:
    """Refuse a host this machine cannot listen on and a port already taken, in one line each."""
    if not host.strip():
        raise OptionError(
            "--host is empty; give 127.0.0.1, or 0.0.0.0 to serve on every interface", field="host"
        )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise OptionError(
            f"--host {host!r} is not an address or a name this machine resolves"
            f" ({getattr(exc, 'strerror', None) or exc}); give 127.0.0.1, or 0.0.0.0 to serve on every"
            " interface",
            field="host",
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise OptionError(
                f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc}); choose another"
                " port, or stop what is listening there",
                field="port",
            ) from None
