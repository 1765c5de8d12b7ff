"""The ``kopru`` command line: a thin layer over :mod:`kopru.api`, one module per command family.

The command group loads a command's module only when that command runs (or when help lists it),
so ``kopru cflp`` never imports pandas and ``kopru plan`` never imports the satellite code. Every
:class:`~kopru.errors.KopruError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import sys
import warnings
from typing import Any, NoReturn

import typer
from rich.markup import escape
from typer.core import TyperGroup

from kopru.cli.common import err
from kopru.errors import KopruError, PipelineError, ProfileError, StoreFolderCreated

# command -> (module, "command" or "group"): the order is the order of ``kopru --help``
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("kopru.cli.planning", "command"),
    "optimize": ("kopru.cli.planning", "command"),
    "route": ("kopru.cli.planning", "command"),
    "demo": ("kopru.cli.planning", "command"),
    "risk": ("kopru.cli.decisions", "command"),
    "rank": ("kopru.cli.decisions", "command"),
    "sweep": ("kopru.cli.decisions", "command"),
    "compare": ("kopru.cli.compare", "command"),
    "runs": ("kopru.cli.runs", "group"),
    "cflp": ("kopru.cli.cflp", "command"),
    "gap": ("kopru.cli.gap", "command"),
    "match": ("kopru.cli.match", "command"),
    "data": ("kopru.cli.data", "group"),
    "space": ("kopru.cli.space", "group"),
    "serve": ("kopru.cli.serve", "command"),
}


class LazyGroup(TyperGroup):
    """A command group whose commands are imported from their modules on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, name: str) -> Any:
        return _command(name) if name in COMMANDS else None


@functools.cache
def _command(name: str) -> Any:
    """The click command of ``name``, built once: typer reads every parameter's type hints to build
    one (~15 ms), and a process that runs kopru again (a test, a notebook) need not do it again."""
    module, kind = COMMANDS[name]
    built = typer.main.get_command(importlib.import_module(module).app)
    if kind == "group":
        built.name = name
        for sub in built.commands.values():
            _one_line_summary(sub)
        return _one_line_summary(built)
    return _one_line_summary(built.commands[name] if isinstance(built, TyperGroup) else built)


def _one_line_summary(command: Any) -> Any:
    """A command's line in a list of commands: its docstring's first paragraph as one text, which
    the list wraps to the screen (rich kept the docstring's own line breaks: 'regret,' then a new
    line 'against the plan's cost' in the middle of the list)."""
    if command.short_help is None and command.help:
        first = inspect.cleandoc(command.help).split("\n\n")[0]
        command.short_help = " ".join(first.split())
    return command


app = typer.Typer(
    cls=LazyGroup,
    help="kopru: where to produce, for whom, at what landed cost — Kazakhstan and Türkiye.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """kopru: where to produce, for whom, at what landed cost — Kazakhstan and Türkiye."""


def _note(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """kopru's notices as one 'note:' line on stderr; other warnings as Python shows them."""
    if issubclass(category, StoreFolderCreated):
        err.print(f"[yellow]note:[/] {escape(str(message))}", highlight=False, soft_wrap=True)
    else:
        _show_warning(message, category, *args, **kwargs)


_show_warning = warnings.showwarning


def _os_problem(exc: OSError) -> str:
    name = str(exc.filename or "")
    if len(name) > 80:
        name = f"{name[:40]}…{name[-36:]}"
    where = f"{name}: " if name else ""
    return f"{where}{exc.strerror or exc}; choose another path"


def in_flags(exc: KopruError, args: list[str]) -> str:
    """The error as the command line says it: the verbs name their Python arguments (``time_limit
    must be > 0``), which read here as the running command's options (``--time-limit must be > 0``):
    the field the message starts with, and any argument name with an underscore in it."""
    message = str(exc)
    flags = _flags_of(args)
    if not flags or isinstance(exc, PipelineError):  # a file's columns, not the command's options
        return message
    field = exc.field or ""
    if field in flags and message.startswith(f"{field} "):
        message = flags[field] + message[len(field) :]
    message = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: flags.get(m.group(), m.group()), message)
    # 'min_jobs (--min-jobs)' names the argument and its option; here both are the option: once
    return re.sub(r"(--[a-z-]+) \(\1\)", r"\1", message)


def _command_of(args: list[str]) -> tuple[Any, list[str]]:
    """The command ``args`` run, and the arguments left after its name."""
    command: Any = typer.main.get_command(app)
    for n, token in enumerate(args):
        if not isinstance(command, TyperGroup):
            return command, args[n:]
        found = command.get_command(command.context_class(command), token)
        if found is None:
            return command, args[n:]
        command = found
    return command, []


def in_profile(exc: KopruError, args: list[str]) -> str | None:
    """A profile's field at fault found after the file was read (an unknown market, province or
    site) said as the file's other errors are, after its name (``p.yaml: markets[1].id: ...``);
    None for any other error."""
    field = exc.field or ""
    if not (
        isinstance(exc, ProfileError)
        and exc.file is None
        and ("[" in field or "." in field)  # a path in the file; a bare name is an option
        and str(exc).startswith(field)
    ):
        return None
    command, rest = _command_of(args)
    try:
        ctx = command.make_context(command.name, list(rest), resilient_parsing=True)
    except Exception:  # a hint only: without the file the message stands alone
        return None
    path = ctx.params.get("profile")
    return f"{path}: {exc}" if path else None


def _flags_of(args: list[str]) -> dict[str, str]:
    """The options of the command ``args`` run, by their Python argument's name and by the name
    their flag spells (``out_dir`` and ``out`` for ``--out``)."""
    command, _ = _command_of(args)
    flags: dict[str, str] = {}
    for param in getattr(command, "params", ()):
        long = [o for o in param.opts if o.startswith("--")]
        if param.param_type_name == "option" and long:
            flags[long[0][2:].replace("-", "_")] = long[0]
            flags[param.name] = long[0]
    return flags


INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl-C (128 + SIGINT)


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: run the command, turning kopru's errors into one line and exit code 2."""
    args = argv if argv is not None else sys.argv[1:]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", StoreFolderCreated)
            warnings.showwarning = _note
            # not standalone: a usage error comes here as an exception, to be said in one line
            code = app(args=args, prog_name="kopru", standalone_mode=False)
    except _CLICK_ERROR as exc:  # an option out of range, a missing argument, an unknown option
        message = exc.format_message()
        if type(exc).__name__ == "NoArgsIsHelpError":  # 'kopru' alone: its help, as typer shows it
            err.print(message, highlight=False, markup=False)
            raise SystemExit(2) from None
        ctx = getattr(exc, "ctx", None)
        message = _synonym(exc, args) or message
        help_of = f" (see '{ctx.command_path} --help')" if isinstance(exc, _USAGE_ERROR) and ctx else ""
        err.print(f"[red]error:[/] {escape(_one_line(message) + help_of)}", highlight=False, soft_wrap=True)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err.print("interrupted")
        raise SystemExit(INTERRUPTED) from None
    except KopruError as exc:
        message = in_profile(exc, args) or in_flags(exc, args)
        err.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except OSError as exc:  # a path the user gave that the system refuses (too long, read-only, full)
        err.print(f"[red]error:[/] {escape(_os_problem(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(INTERRUPTED) from None
    if code == INTERRUPTED:  # typer turns Ctrl-C inside a command into this exit code, silently
        err.print("interrupted")
    # a command that ends early (typer.Exit, --help) returns its exit code, one that runs None; the
    # exit is raised, as a standalone click program does
    raise SystemExit(code if isinstance(code, int) and not isinstance(code, bool) else 0)


# typer (0.29) vendors click: its usage errors are reached through the public BadParameter
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


# options people reach for under another name: click suggests by spelling ('--draws' got '--dask')
SYNONYMS = {
    "--draws": ("--samples", "the number of Monte Carlo draws"),
    "--n-samples": ("--samples", "the number of Monte Carlo draws"),
    "--iterations": ("--samples", "the number of Monte Carlo draws"),
}


def _synonym(exc: Exception, args: list[str]) -> str | None:
    """'No such option: --draws; the number of Monte Carlo draws is --samples' when the command has it."""
    name = getattr(exc, "option_name", None)
    if type(exc).__name__ != "NoSuchOption" or name not in SYNONYMS:
        return None
    flag, what = SYNONYMS[name]
    if flag not in _flags_of(args).values():
        return None
    return f"No such option: {name}; {what} is {flag}"


def _one_line(message: str) -> str:
    return " ".join(message.split())


__all__ = ["COMMANDS", "app", "main"]
