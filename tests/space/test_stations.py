"""Station CSVs: the shipped file, blank heights, extra columns, and clear errors."""

import pytest

from kopru.space import StationError, parse_stations, read_stations


def test_shipped_stations_read_with_blank_heights_as_zero():
    st = read_stations()
    assert len(st) == 13 and st.elev_m[0] == 90.0 and st.elev_m[1] == 0.0
    assert {"Kazakhstan", "Türkiye", "Azerbaijan"} <= set(st.country)


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
