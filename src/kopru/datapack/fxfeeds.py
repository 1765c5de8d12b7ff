"""Official exchange rates from the central banks, written as an overrides file.

``kopru data refresh fx`` asks three official feeds for their latest rates and writes them as
overrides (``KZT.fx_per_usd`` ...), so that a plan can use today's rates without touching the
shipped data pack, and the report shows them as overridden values with their source:

* National Bank of Kazakhstan, ``rss/get_rates.cfm?fdate=DD.MM.YYYY``: tenge per unit (``quant``);
* Central Bank of the Republic of Türkiye, ``kurlar/today.xml``: lira per US dollar, the
  indicative forex buying rate;
* European Central Bank, ``eurofxref-daily.xml``: US dollars per euro (so euros per dollar is its
  inverse), the latest reference rate.

Each feed is parsed by its own small function, tested on answers in the published format; a feed
that cannot be reached (no network) or that answers something else is a :class:`FeedError` that
says which feed and what to do instead.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from kopru.errors import FeedError, OptionError

TIMEOUT_S = 20.0
ECB_NS = {"e": "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"}


@dataclass(frozen=True)
class Rate:
    """Units of ``currency`` per US dollar on ``date``, from one official feed."""

    currency: str
    per_usd: float
    date: dt.date
    publisher: str
    url: str

    def override(self) -> dict[str, object]:
        note = f"{self.publisher}, official rate of {self.date.isoformat()} ({self.url})"
        return {"value": round(self.per_usd, 6), "unit": f"{self.currency}/USD", "note": note}


def nbk_url(day: dt.date) -> str:
    return f"https://nationalbank.kz/rss/get_rates.cfm?fdate={day:%d.%m.%Y}"


CBRT_URL = "https://www.tcmb.gov.tr/kurlar/today.xml"
ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"


def _xml(text: bytes, feed: str) -> ET.Element:
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise FeedError(f"{feed}: the answer is not XML ({exc}); the feed may have moved") from None


def _number(raw: str | None, feed: str, what: str) -> float:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise FeedError(f"{feed}: {what} is not a number ({raw!r})") from None
    if not value > 0:
        raise FeedError(f"{feed}: {what} must be positive, got {value}")
    return value


def parse_nbk(text: bytes, url: str) -> Rate:
    """Tenge per US dollar from the National Bank of Kazakhstan's daily rates."""
    root = _xml(text, "National Bank of Kazakhstan")
    for item in root.iter("item"):
        if (item.findtext("title") or "").strip() == "USD":
            value = _number(item.findtext("description"), "National Bank of Kazakhstan", "the USD rate")
            quant = _number(item.findtext("quant") or "1", "National Bank of Kazakhstan", "quant")
            day = dt.datetime.strptime((root.findtext("date") or "").strip(), "%d.%m.%Y").date()
            return Rate("KZT", value / quant, day, "National Bank of Kazakhstan", url)
    raise FeedError("National Bank of Kazakhstan: the answer has no USD rate (no <item> titled USD)")


def parse_cbrt(text: bytes, url: str) -> Rate:
    """Lira per US dollar (indicative forex buying rate) from the CBRT's daily bulletin."""
    root = _xml(text, "Central Bank of the Republic of Türkiye")
    for cur in root.iter("Currency"):
        if cur.get("CurrencyCode") == "USD":
            value = _number(cur.findtext("ForexBuying"), "CBRT", "the USD forex buying rate")
            unit = _number(cur.findtext("Unit") or "1", "CBRT", "Unit")
            day = dt.datetime.strptime(root.get("Tarih", ""), "%d.%m.%Y").date()
            return Rate("TRY", value / unit, day, "Central Bank of the Republic of Türkiye", url)
    raise FeedError("Central Bank of the Republic of Türkiye: the answer has no USD rate")


def parse_ecb(text: bytes, url: str) -> Rate:
    """Euros per US dollar from the ECB's reference rates (published as dollars per euro)."""
    root = _xml(text, "European Central Bank")
    day_cube = root.find(".//e:Cube[@time]", ECB_NS)
    usd = root.find(".//e:Cube[@currency='USD']", ECB_NS)
    if day_cube is None or usd is None:
        raise FeedError("European Central Bank: the answer has no USD reference rate")
    usd_per_eur = _number(usd.get("rate"), "European Central Bank", "the USD rate")
    day = dt.date.fromisoformat(day_cube.get("time", ""))
    return Rate("EUR", 1.0 / usd_per_eur, day, "European Central Bank", url)


Parser = Callable[[bytes, str], Rate]


def _get(client: httpx.Client, url: str, feed: str) -> bytes:
    try:
        response = client.get(url, timeout=TIMEOUT_S, follow_redirects=True)
    except httpx.TransportError as exc:
        raise FeedError(
            f"cannot reach {feed} at {url} ({type(exc).__name__}): kopru data refresh fx needs the"
            " network; offline, give the rates in an overrides file (KZT.fx_per_usd: 505.7)"
        ) from None
    if response.status_code != 200:
        raise FeedError(f"{feed} answered HTTP {response.status_code} for {url}; try again later")
    return response.content


def fetch_rates(client: httpx.Client, today: dt.date | None = None) -> list[Rate]:
    """The latest official KZT, TRY and EUR rates per US dollar."""
    feeds: list[tuple[str, str, Parser]] = [
        ("the National Bank of Kazakhstan", nbk_url(today or dt.date.today()), parse_nbk),
        ("the Central Bank of the Republic of Türkiye", CBRT_URL, parse_cbrt),
        ("the European Central Bank", ECB_URL, parse_ecb),
    ]
    return [parse(_get(client, url, feed), url) for feed, url, parse in feeds]


HEADER = "# Official exchange rates written by `kopru data refresh fx`; use with --overrides.\n"


def write_overrides(rates: list[Rate], path: str | Path) -> Path:
    """Write the rates as an overrides file (``CCY.fx_per_usd: {value, unit, note}``)."""
    path = Path(path)
    data = {f"{r.currency}.fx_per_usd": r.override() for r in rates}
    path.write_text(HEADER + yaml.safe_dump(data, sort_keys=True, allow_unicode=True), encoding="utf-8")
    return path


def check_target(path: str | Path) -> Path:
    """The file ``refresh fx`` may write: new, or one it wrote before (its first line is HEADER);
    never a user's own overrides file or a folder, which it would destroy."""
    path = Path(path)
    if path.is_dir():
        raise OptionError(f"out {path} is a folder; give a file such as {path / 'fx.yaml'}", field="out")
    if path.exists():
        try:
            with path.open(encoding="utf-8", errors="replace") as fh:
                first = fh.readline()
        except OSError as exc:
            raise OptionError(f"out {path} cannot be read ({exc.strerror or exc})", field="out") from None
        if first != HEADER:
            raise OptionError(
                f"out {path} exists and was not written by kopru data refresh fx; it was left untouched"
                " — give another file, or remove it first",
                field="out",
            )
    return path
