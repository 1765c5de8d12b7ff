"""The shipped data pack: every figure kopru uses, each with unit, year, source and note.

``load()`` reads and validates the CSV/YAML/GeoJSON files in ``data/``; ``load(overrides=...)``
returns a copy in which the user's values replace the shipped ones and are marked as overridden.
"""

from kopru.datapack.loader import DataPack, Param, load, split_list
from kopru.datapack.overrides import Override, read_overrides

__all__ = ["DataPack", "Override", "Param", "load", "read_overrides", "split_list"]
