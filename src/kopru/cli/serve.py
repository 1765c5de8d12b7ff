"""``kopru serve``: the web app on uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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

    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(
            f"warning: serving on {host}, reachable from other machines; set KOPRU_TOKEN to require a token",
            err=True,
        )
    typer.echo(f"kopru web app on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(
        create_app(scenario_store=store), host=host, port=port, log_level="warning", server_header=False
    )
