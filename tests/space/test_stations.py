"""Station CSVs: the shipped file, blank heights, extra columns, and clear errors."""

import pytest

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


def test_status_errors_name_the_row_and_the_choices():
    with pytest.raises(StationError, match="row 2: 'status' is 'closed'; expected one of operational"):
        parse_stations("name,country,lat,lon,elev_m,status\na,KZ,1,2,,closed\n", "s.csv")
    with pytest.raises(StationError, match="no station has status operational"):
        parse_stations("name,country,lat,lon,elev_m,status\na,KZ,1,2,,planned\n").with_status()
    # a file without a status column: the user's rows are their antennas
    assert parse_stations("name,country,lat,lon,elev_m\na,KZ,1,2,\n").with_status().name == ("a",)


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
