"""Station CSVs: the shipped file, blank heights, extra columns, and clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from kopru.space import StationError, parse_stations, read_stations


def test_shipped_stations_read_with_blank_heights_as_zero():
    st = read_stations(statuses=None)
    assert len(st) == 13 and st.elev_m[0] == 90.0 and st.elev_m[1] == 0.0
    assert {"Kazakhstan", "Türkiye", "Azerbaijan"} <= set(st.country)


def test_only_operational_antennas_by_default():
    # oracle: the status column read by hand (space/data/SOURCE.md): 7 operational antennas,
    # one backup control point, five rows that are not stations
    st = read_stations()
    assert len(st) == 7 and set(st.statuses()) == {"operational"}
    left = {r["status"] for r in st.left_out}
    assert len(st.left_out) == 6 and left == {"backup", "not_a_station"}
    assert len(read_stations(statuses=("operational", "backup"))) == 8


def test_shipped_rows_say_what_they_serve_with_a_source():
    """Review finding 2: the GEO control centres were offered to LEO imaging satellites. Oracle: the
    serves column read by hand against its sources (SOURCE.md): of the 7 operational rows, KGS
    Astana and TÜBİTAK UZAY METU track LEO satellites, Azercosmos Main both, and Akkol, Kokterek
    and the two Türksat centres are geostationary control only."""
    import csv
    from importlib import resources

    st = read_stations()
    serves = dict(zip((n.split(" ")[0] for n in st.name), st.serving(), strict=True))
    assert serves == {
        "KGS": "leo",
        "Akkol": "geo",
        "Kokterek": "geo",
        "Türksat": "geo",
        "TÜBİTAK": "leo",
        "Azercosmos": "both",
    }
    assert st.tracks_leo().sum() == 3 and st.tracks_leo(assume_leo_antennas=True).sum() == 7
    text = (resources.files("kopru.space") / "data" / "ground-stations.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    for row in rows:
        assert row["serves_basis"] in ("source", "assumption") and row["serves_source"], row["name"]
        # an assumption says so in its text; a sourced LEO claim cites a page
        assert (row["serves_basis"] == "assumption") == row["serves_source"].startswith("ASSUMPTION")
        if row["serves"] in ("leo", "both"):
            assert "http" in row["serves_source"], row["name"]
    multi = {r["name"].split(",")[0]: r["site_antennas"] for r in rows if r["site_antennas"][:1].isdigit()}
    assert multi["Türksat Gölbaşı Satellite Ground Control Centre"].startswith("2 ")
    assert multi["Türksat Kahramankazan ground-systems backup centre (13.2 m Ka + 2x9 m Ku)"].startswith("3 ")


def test_serves_is_checked_and_defaults_to_both():
    with pytest.raises(StationError, match="row 2: 'serves' is 'meo'; expected one of leo, geo, both, none"):
        parse_stations("name,country,lat,lon,elev_m,serves\na,KZ,1,2,,meo\n", "s.csv")
    assert parse_stations("name,country,lat,lon,elev_m\na,KZ,1,2,\n").serving() == ("both",)
    st = parse_stations("name,country,lat,lon,elev_m,serves\na,KZ,1,2,,GEO\nb,KZ,1,3,,\n")
    assert st.serving() == ("geo", "both") and st.not_for_leo()[0]["name"] == "a"


def test_status_errors_name_the_row_and_the_choices():
    with pytest.raises(StationError, match="row 2: 'status' is 'closed'; expected one of operational"):
        parse_stations("name,country,lat,lon,elev_m,status\na,KZ,1,2,,closed\n", "s.csv")
    with pytest.raises(StationError, match="no station has status operational"):
        parse_stations("name,country,lat,lon,elev_m,status\na,KZ,1,2,,planned\n").with_status()
    # a file without a status column: the user's rows are their antennas
    assert parse_stations("name,country,lat,lon,elev_m\na,KZ,1,2,\n").with_status().name == ("a",)
    # in any case, as 'serves' is read, and with spaces for underscores (a review: 'Operational'
    # from a spreadsheet was refused where 'LEO' was taken)
    st = parse_stations(
        "name,country,lat,lon,elev_m,status\na,KZ,1,2,,Operational\nb,KZ,1,3,,Not a station\n"
        "c,KZ,1,4,, BACKUP\n"
    )
    assert st.statuses() == ("operational", "not_a_station", "backup")
    assert st.with_status().name == ("a",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,country,lat,lon\na,KZ,1,2\n", "missing column(s) elev_m"),
        ("name,country,lat,lon,elev_m\na,KZ,91,2,\n", "s.csv row 2: 'lat' is 91, out of range"),
        ("name,country,lat,lon,elev_m\na,KZ,x,2,\n", "'lat' is 'x', expected a number"),
        ("name,country,lat,lon,elev_m\na,KZ,1,2,\na,KZ,1,2,\n", "'a' appears twice"),
        ("name,country,lat,lon,elev_m\n", "no rows"),
    ],
)
def test_bad_station_files_are_named_errors(text, message):
    with pytest.raises(StationError) as exc:
        parse_stations(text, "s.csv")
    assert message in str(exc.value)


def test_extra_columns_are_allowed():
    st = parse_stations("name,country,lat,lon,elev_m,antenna\na,KZ,1,2,3,9m\n")
    assert st.name == ("a",) and st.elev_m[0] == 3.0


def test_a_field_longer_than_the_csv_modules_limit_is_read():
    """Issue 16: a name over 131,072 characters raised _csv.Error; the reader allows 1 MB cells."""
    st = parse_stations("name,country,lat,lon,elev_m\n" + "a" * 200_000 + ",KZ,1,2,\n")
    assert len(st.name[0]) == 200_000


CELLS = st_.sampled_from(["", "1", "-1", "91", "x", "inf", "nan", "1e400", "KZ", '"', "\x00", "²", "0.5"])


@settings(max_examples=300, deadline=None)
@given(rows=st_.lists(st_.lists(CELLS, min_size=3, max_size=7), min_size=0, max_size=4))
def test_any_station_file_is_read_or_a_station_error(rows):
    """Property: a station CSV of any such cells gives stations with finite coordinates in range, or
    one StationError line."""
    text = "name,country,lat,lon,elev_m\n" + "\n".join(",".join(r) for r in rows)
    try:
        stations = parse_stations(text, "s.csv")
    except StationError as exc:
        assert "\n" not in str(exc)
        return
    assert np.all(np.abs(stations.lat) <= 90) and np.all(np.abs(stations.lon) <= 180)
    assert np.all(np.isfinite(stations.elev_m))


@pytest.mark.parametrize("zone", ["Asia/Nowhere", "../etc/passwd", "Europe/"])
def test_a_zone_tzdata_does_not_know_is_a_named_error(zone):
    with pytest.raises(StationError, match=r"row 2: 'timezone' is .*; expected an IANA zone name"):
        parse_stations(f"name,country,lat,lon,elev_m,timezone\nX,Kazakhstan,50,70,0,{zone}\n")


def test_a_station_status_given_as_a_string_is_one_status_not_its_letters():
    """Review: space.passes(..., station_status='backup') asked for statuses 'b', 'a', 'c', ...
    Oracle: the shipped file has one backup row, Azercosmos's Nakhchivan station."""
    from kopru import space
    from kopru.space.api import station_statuses

    assert station_statuses("backup") == ("backup",)
    assert station_statuses("operational, backup") == ("operational", "backup")
    assert station_statuses(("backup",)) == ("backup",) and station_statuses(",") == ()
    with pytest.warns(space.SpaceWarning, match="no station used tracks LEO satellites"):  # a GEO centre
        found = space.passes("2026-06-01", 0.2, station_status="backup")
    assert set(found.stations.name) == {
        "Azercosmos backup ground control station, Nakhchivan AR (Julfa district)"
    }
    assert found.records()  # the geostationary satellites in its view
    with pytest.warns(space.SpaceWarning, match="no station used tracks LEO satellites"):
        assert found.records() == space.passes("2026-06-01", 0.2, station_status=("backup",)).records()
    with pytest.raises(StationError) as caught:
        space.pool("2026-06-01", 0.2, station_status="")
    assert str(caught.value) == (
        "station_status names no status; expected one or more of operational, backup, planned,"
        " not_a_station, comma-separated"
    )


def test_azercosmos_mains_leo_antenna_is_marked_an_assumption():
    """A second review: the row said serves_basis=source while its serves_source said the LEO antenna's
    site is assumed. Oracle: the row's own text; the loader keeps the basis and refuses others."""
    st = read_stations()
    assumed = [n for n, a in zip(st.name, st.leo_assumed(), strict=True) if a]
    assert len(assumed) == 1 and assumed[0].startswith("Azercosmos Main Satellite Ground Control Station")
    with pytest.raises(
        StationError, match="row 2: 'serves_basis' is 'rumour'; expected source, assumption or blank"
    ):
        parse_stations("name,country,lat,lon,elev_m,serves_basis\na,Kazakhstan,1,2,,rumour\n", "s.csv")
    assert parse_stations("name,country,lat,lon,elev_m\na,Kazakhstan,1,2,\n").leo_assumed().tolist() == [
        False
    ]
