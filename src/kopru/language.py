"""The languages kopru writes documents in: its message catalogs and the way each language writes
numbers.

Messages are gettext catalogs, one ``.po`` file per language under
``locales/<lang>/LC_MESSAGES/kopru.po`` (the format translators' tools read and write), read
and compiled with Babel when a document first needs them. A message is the English text, with
named placeholders (``"saves %(share)s against its Turkish baseline"``); a message the catalog lacks
stays English, as gettext does. Numbers follow the language's CLDR conventions through Babel:
1,234.5 and 36.4% in English, 1.234,5 and %36,4 in Turkish.

Proper names (companies, zones, provinces, corridor nodes), legal citations and sources stay as the
data gives them.
"""

from __future__ import annotations

import functools
import gettext
import io
import math
from decimal import Decimal
from importlib import resources

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from kopru.errors import OptionError

LANGUAGES = {"en": "English", "tr": "Türkçe"}
LOCALES = {"en": "en_US", "tr": "tr_TR"}
DOMAIN = "kopru"


def check_language(lang: str) -> str:
    """``lang`` if kopru writes in it, else an error that lists those it does."""
    code = str(lang).strip().lower()
    if code not in LANGUAGES:
        known = ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())
        raise OptionError(f"language {lang!r} is not one kopru writes; use one of {known}", field="lang")
    return code


def catalog_path(lang: str) -> resources.abc.Traversable:
    return resources.files("kopru") / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English: no catalog, every message as written)."""
    lang = check_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=LOCALES[lang], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Words:
    """A document's words and numbers in one language: ``words("saves %(share)s", share=...)``."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = check_language(lang)
        self.locale = Locale.parse(LOCALES[self.lang])
        self._t = translations(self.lang)

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._t.gettext(message) if message else ""  # gettext("") is the catalog's header
        return text % values if values else text

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The message for ``n`` of something, with ``n`` among the values as ``%(n)s``."""
        return self._t.ngettext(singular, plural, n) % ({"n": n} | values)

    def number(self, value: float, digits: int = 0) -> str:
        """1234.5 -> '1,234.5' / '1.234,5'."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        # the float's exact value, as Python's own formatting rounds it (Babel would round its
        # shortest repr half-even: 2.85 to 2.8, where f"{2.85:.1f}" gives 2.9)
        return format_decimal(Decimal(value), format=pattern, locale=self.locale)

    def signed(self, value: float, digits: int = 0) -> str:
        """A difference with its sign: '+1,234.500' / '+1.234,500'."""
        text = self.number(abs(value), digits)
        return ("-" if value < 0 and text.strip("0.,") else "+") + text

    def signed_share(self, value: float, digits: int = 1) -> str:
        """A change as a share with its sign, as ``%+.1%`` writes it: '+9.6%' / '+%9,6'."""
        return ("-" if _negative(value) else "+") + self.share(abs(value), digits)

    def signed_figures(self, value: float, figures: int = 3) -> str:
        """A change as a share to ``figures`` significant figures, trailing zeros dropped, as ``%+.3g``
        writes it: 0.855 -> '+85.5%' / '+%85,5', -0.38 -> '-38%' / '-%38'."""
        return ("-" if _negative(value) else "+") + self._percent(self.significant(abs(value) * 100, figures))

    def significant(self, value: float, digits: int = 4) -> str:
        """``digits`` significant figures, grouped, as ``%,.4g`` writes them: 512.3, 1,234 / 512,3,
        1.234 (and 1.234e-05 for a value too small for them)."""
        symbols = self.locale.number_symbols["latn"]
        text = f"{value:,.{digits}g}"
        return text.translate(str.maketrans({",": symbols["group"], ".": symbols["decimal"]}))

    def share(self, value: float, digits: int = 1) -> str:
        """0.364 -> '36.4%' / '%36,4': the language's own percent pattern, with ``digits`` decimals,
        rounded and ungrouped as ``%.1%`` does (the float ``value * 100``, then its exact value)."""
        pattern = "0" + ("." + "0" * digits if digits else "")
        number = format_decimal(Decimal(abs(value) * 100), format=pattern, locale=self.locale)
        return ("-" if _negative(value) else "") + self._percent(number)

    def _percent(self, number: str) -> str:
        """A number in the language's percent pattern: '36.4%' / '%36,4'."""
        return self.locale.percent_formats[None].pattern.replace("#,##0", number)


def _negative(value: float) -> bool:
    """The sign Python's formatting writes: -0.0 is negative too (f"{-0.0:.1%}" is '-0.0%')."""
    return math.copysign(1.0, value) < 0


ENGLISH = Words("en")  # what kopru writes when no language is asked for
