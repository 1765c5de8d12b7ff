"""Official exchange-rate feeds, offline: answers in each feed's published format (tests/data/fx,
see SOURCE.md) served by httpx's MockTransport, and a transport that has no network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import ROOT

import kopru
from kopru.datapack.fxfeeds import fetch_rates, parse_cbrt, parse_ecb, parse_nbk
from kopru.errors import FeedError, OptionError

FX = ROOT / "tests" / "data" / "fx"
ANSWERS = {"nationalbank.kz": "nbk.xml", "www.tcmb.gov.tr": "cbrt.xml", "www.ecb.europa.eu": "ecb.xml"}


def feeds(request: httpx.Request) -> httpx.Response:
    name = ANSWERS.get(request.url.host)
    if name is None:
        return httpx.Response(404)
    return httpx.Response(200, content=(FX / name).read_bytes())


def offline(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)


def test_each_feed_by_hand():
    nbk = parse_nbk((FX / "nbk.xml").read_bytes(), "u")
    assert (nbk.currency, nbk.per_usd, nbk.date) == ("KZT", 505.73, dt.date(2025, 12, 31))
    cbrt = parse_cbrt((FX / "cbrt.xml").read_bytes(), "u")
    assert (cbrt.currency, cbrt.per_usd, cbrt.date) == ("TRY", 49.948, dt.date(2026, 10, 30))
    ecb = parse_ecb((FX / "ecb.xml").read_bytes(), "u")
    assert ecb.currency == "EUR" and ecb.per_usd == pytest.approx(1 / 1.1565, rel=1e-12)


def test_quantities_are_divided_out():
    text = (FX / "nbk.xml").read_bytes().replace(b"<quant>1</quant>", b"<quant>10</quant>", 1)
    assert parse_nbk(text, "u").per_usd == pytest.approx(50.573)


def test_refresh_writes_overrides_the_pack_accepts(tmp_path: Path):
    out = tmp_path / "fx.yaml"
    with httpx.Client(transport=httpx.MockTransport(feeds)) as client:
        rates = kopru.refresh_fx(out, client=client)
    assert [r.currency for r in rates] == ["KZT", "TRY", "EUR"]
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["KZT.fx_per_usd"]["value"] == 505.73 and data["TRY.fx_per_usd"]["unit"] == "TRY/USD"
    pack = kopru.load_data(out)
    assert pack.fx_per_usd("TRY") == 49.948
    assert pack.param("TRY", "fx_per_usd").overridden


def test_refresh_never_overwrites_a_file_it_did_not_write(tmp_path: Path):
    """A CLI review: --out pointed at a user's own overrides file would have replaced it. A file
    refresh wrote before is refreshed; a user's file, or a folder, is refused before the network."""
    own = tmp_path / "mine.yaml"
    own.write_text("KZ.vat_standard: 16\n", encoding="utf-8")
    with httpx.Client(transport=httpx.MockTransport(feeds)) as client:
        with pytest.raises(OptionError, match="was not written by kopru data refresh fx"):
            kopru.refresh_fx(own, client=client)
        with pytest.raises(OptionError, match="is a folder"):
            kopru.refresh_fx(tmp_path, client=client)
        again = tmp_path / "fx.yaml"
        kopru.refresh_fx(again, client=client)
        kopru.refresh_fx(again, client=client)  # its own file: refreshed
    assert own.read_text(encoding="utf-8") == "KZ.vat_standard: 16\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fx.yaml", "mine.yaml"]  # no draft left


def test_offline_is_one_clear_error(tmp_path: Path):
    with (
        httpx.Client(transport=httpx.MockTransport(offline)) as client,
        pytest.raises(FeedError, match=r"cannot reach the National Bank of Kazakhstan .* needs the network"),
    ):
        fetch_rates(client, dt.date(2026, 12, 5))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>moved</html", "not XML"),
        (b"<rates><date>01.01.2026</date></rates>", "no USD rate"),
        (b"<rates><item><title>USD</title><description>n/a</description></item></rates>", "not a number"),
    ],
)
def test_unexpected_answers_are_explained(body, message):
    with pytest.raises(FeedError, match=message):
        parse_nbk(body, "u")


def test_cli_offline_exits_2(cli, tmp_path, monkeypatch):
    def no_network(self, *args, **kwargs):
        raise httpx.ConnectError("no network")

    monkeypatch.setattr(httpx.Client, "get", no_network)
    r = cli("data", "refresh", "fx", "--out", tmp_path / "fx.yaml")
    assert r.code == 2
    assert "cannot reach" in r.err and len(r.err.strip().splitlines()) == 1
    assert not (tmp_path / "fx.yaml").exists()
