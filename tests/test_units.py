import pytest

from kopru.units import parse


@pytest.mark.parametrize(
    ("raw", "dimension", "expected"),
    [
        ("250 g", "mass", 0.25),
        ("1.5t", "mass", 1500.0),
        (12, "mass", 12.0),
        ("2 lb", "mass", 0.90718474),
        ("1.2 l", "volume", 0.0012),
        ("3 MWh", "energy", 3000.0),
        ("3.6 MJ", "energy", 1.0),
        ("7 min", "time", 7 / 60),
        ("1 ha", "area", 10_000.0),
        ("12 %", "fraction", 0.12),
        ("0.12", "fraction", 0.12),
        ("1e3 g", "mass", 1.0),
    ],
)
def test_parse(raw, dimension, expected):
    assert parse(raw, dimension) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "dimension", "message"),
    [
        ("3 kWh", "mass", "'kWh' is a unit of energy"),
        ("3 furlongs", "mass", "unknown unit 'furlongs'"),
        ("heavy", "mass", "expected a mass"),
        (True, "mass", "expected a mass"),
        ([1], "volume", "got list"),
        (float("inf"), "mass", "as a finite number up to 1e\\+15, got inf"),
        (float("nan"), "mass", "got nan"),
        ("1e400 g", "mass", "got inf"),
        (10**400, "mass", "a number too large to use"),
        ("1e16 kg", "mass", "got 1e\\+16"),
        ("inf kg", "mass", "got 'inf kg'"),
    ],
)
def test_parse_rejects(raw, dimension, message):
    with pytest.raises(ValueError, match=message):
        parse(raw, dimension)
