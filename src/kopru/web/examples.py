"""The example profiles shipped with kopru, by name: a request names one, never a path."""

import copy
from functools import cache
from typing import Any

import yaml

from kopru.web.schemas import EXAMPLES


@cache
def example_text(name: str) -> str:
    return EXAMPLES[name].read_text(encoding="utf-8")


@cache
def _parsed(name: str) -> dict[str, Any]:
    return yaml.safe_load(example_text(name))


def example_dict(name: str) -> dict[str, Any]:
    """The example as a mapping: a copy, since callers may change it."""
    return copy.deepcopy(_parsed(name))
