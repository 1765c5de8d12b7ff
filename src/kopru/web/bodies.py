"""Request bodies read as kopru reads a profile file: a number a Turkish writer typed with a
thousands point (``"fixed_costs": 600.000``, six hundred thousand) is refused, not taken as 600.

JSON reads 600.000 as 600 before any field sees the text, so the check runs on the numbers as typed
(json's ``parse_float``); a browser's or a program's JSON never writes trailing zeros, so only a body
written by hand meets it. Every API route is a :class:`CheckedRoute` (``route_class`` of each router).
"""

import json
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from kopru import units
from kopru.profile import field_path
from kopru.web.errors import PROFILE


class _Typed(float):
    """A number JSON reads as a float, with what to write instead of it as typed."""

    hint: str


def _reader(typed: list[_Typed]) -> Callable[[str], float]:
    """JSON's float reader: a number that reads two ways is kept, with its hint, in ``typed`` too."""

    def read(literal: str) -> float:
        hint = units.dot_hint(literal)
        if not hint:
            return float(literal)
        number = _Typed(literal)
        number.hint = hint
        typed.append(number)
        return number

    return read


def _slips(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Where in a parsed body each number that reads two ways sits, and its hint (iteratively: a body
    nested hundreds deep is valid JSON)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Typed):
            yield path, value.hint
        elif isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))


def _entry(path: tuple[str | int, ...], hint: str) -> dict[str, Any]:
    # a profile's field is named as the profile's own checks name it ("fixed_costs"), others by path
    inside = path[1:] if path[:1] == PROFILE[1:] else path
    return {"loc": ["body", *path], "msg": hint, "type": "value_error", "field": field_path(inside)}


class CheckedRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            typed: list[_Typed] = []
            data = json.loads(await self.body(), parse_float=_reader(typed))
            if typed:
                found = [_entry(path, hint) for path, hint in _slips(data)]
                raise HTTPException(status_code=422, detail=found)
            self._json = data
        return self._json


class CheckedRoute(APIRoute):
    """An API route whose JSON body is read by :class:`CheckedRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            return await handle(CheckedRequest(request.scope, request.receive))

        return checked
