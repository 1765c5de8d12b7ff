"""Element sets: the shipped file parses; every kind of damage gets a clear error naming the line."""

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopru.errors import KopruError
from kopru.space import StaleElementsWarning, TLEError, parse_tle, read_tle
from kopru.space.tle import checksum

ISS = (
    "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927",
    "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537",
)


def test_shipped_file_has_the_seventeen_documented_satellites():
    sats = read_tle()
    assert len(sats) == 17
    assert {39731, 40010, 43783, 41875, 39030, 56178, 37749, 33056} <= set(sats.norads.tolist())
    assert sum(e.is_geostationary for e in sats) == 10


def test_a_window_before_every_launch_is_refused():
    """A web review: 182 passes in 1960 of satellites launched from 2011 on. The launch years are
    the international designators' (KazEOSat-1 '14024A': 2014; the ISS '98067A': 1998)."""
    sats = read_tle()
    assert {e.norad: e.launch_year for e in sats}[39731] == 2014
    assert parse_tle("\n".join(("ISS", *ISS))).elements[0].launch_year == 1998
    first = min(e.launch_year for e in sats)
    with pytest.raises(
        TLEError, match=rf"before any of these satellites was launched \(the first in {first}\)"
    ) as e:
        sats.check_age(datetime(1960, 1, 1, tzinfo=UTC), datetime(1960, 1, 2, tzinfo=UTC))
    assert e.value.field == "start"
    # a window in the first one's launch year goes on (warned as stale): launch days are not in a TLE
    with pytest.warns(StaleElementsWarning):
        sats.check_age(datetime(first, 12, 1, tzinfo=UTC), datetime(first, 12, 2, tzinfo=UTC))


def test_names_are_optional_and_celestrak_zero_prefix_is_read():
    two = parse_tle("\n".join(ISS))
    assert two[0].name == "NORAD 25544" and two[0].norad == 25544
    three = parse_tle("0 ISS (ZARYA)\n" + "\n".join(ISS))
    assert three[0].name == "ISS (ZARYA)"


def test_checksum_matches_the_published_one():
    assert checksum(ISS[0]) == int(ISS[0][68]) and checksum(ISS[1]) == int(ISS[1][68])


def _with_checksum(body: str) -> str:
    """A 68-character line with its right modulo-10 checksum, so only the field under test is wrong."""
    return body + str(checksum(body + "0"))


def _damage(line: int, edit) -> str:
    lines = ["ISS", *ISS]
    lines[line] = edit(lines[line])
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_damage(1, lambda s: s[:68] + "0"), "t.txt line 2: checksum mismatch on line 1"),
        (_damage(2, lambda s: s.replace("51.6416", "51.6417")), "t.txt line 3: checksum mismatch on line 2"),
        (_damage(2, lambda s: s[:60]), "line 3: line 2 has 60 characters"),
        (_damage(2, lambda s: "3" + s[1:]), "line 3: expected line 2"),
        (
            _damage(2, lambda s: s[:2] + "25545" + s[7:68] + str((checksum(s) + 1) % 10)),
            "differs from line 1",
        ),
        ("ISS\n" + ISS[0], "line 2: line 1 has no line 2"),
        ("", "no element sets found"),
        (_damage(1, lambda s: s[:68] + "\u00b2"), "line 1 ends with '\u00b2', expected a checksum digit"),
        (
            _damage(1, lambda s: _with_checksum(s[:18] + "ABCDEFGHIJKLMN" + s[32:68])),
            "the epoch (columns 19-32) is 'ABCDEFGHIJKLMN'; expected YYDDD",
        ),
        ("\n".join(["A", *ISS, "B", *ISS]), "NORAD 25544 appears twice"),
        # CLI QA: fields out of their range passed when the checksum was right
        (
            _damage(2, lambda s: _with_checksum(s[:8] + "999.9999" + s[16:68])),
            "line 3: inclination must be in [0, 180] degrees, got 999.9999",
        ),
        (
            _damage(1, lambda s: _with_checksum(s[:20] + "999.00000000" + s[32:68])),
            "line 2: the epoch's day of the year (columns 21-32) must be in [1, 367), got 999.00000000",
        ),
    ],
)
def test_damaged_element_sets_are_named_errors(text, message):
    with pytest.raises(TLEError, match=re.escape(message)):
        parse_tle(text, "t.txt")


def test_errors_are_kopru_errors_and_files_are_checked(tmp_path):
    assert issubclass(TLEError, KopruError)
    with pytest.raises(TLEError, match=r"element-set file .* does not exist"):
        read_tle(tmp_path / "missing.txt")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(TLEError, match="is UTF-16 text"):
        read_tle(tmp_path / "bin.txt")
    (tmp_path / "bin2.txt").write_bytes(b"\x89PNG\x00\x81")
    with pytest.raises(TLEError, match="is binary"):
        read_tle(tmp_path / "bin2.txt")


def test_old_element_sets_warn_but_do_not_fail():
    sats = read_tle()
    start = datetime(2026, 6, 1, tzinfo=UTC)
    assert sats.check_age(start, start) == ""
    with pytest.warns(StaleElementsWarning) as caught:
        message = sats.check_age(datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 2, tzinfo=UTC))
    # one line naming all 17 satellites, with the effect in realistic terms
    assert len(caught) == 1 and str(caught[0].message) == message and message.count("(NORAD ") == 17
    assert "KAZEOSAT 1 (NORAD 39731, epoch 2026-05-30) 94 days" in message
    assert "minutes after two to three months" in message and "km-level" not in message


def test_element_set_ages_are_hand_computed():
    """KazEOSat-1's epoch 26150.60611006: day 150 of 2026 is 30 May, 0.60611006 d is 14:32:47.9, so
    at 2026-06-01 00:00 the set is 1 + (1 − 0.60611006) = 1.39389 days old; IMECE's epoch
    26177.98385801 (26 June 23:36:45) is 25.98 days after it."""
    ages = {
        a["norad"]: a
        for a in read_tle().ages(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC))
    }
    assert ages[39731]["epoch"] == "2026-05-30T14:32:47Z"
    assert ages[39731]["age_at_start_days"] == pytest.approx(1.39, abs=0.005)
    assert ages[39731]["days_from_epoch_max"] == pytest.approx(2.39, abs=0.005) and not ages[39731]["stale"]
    assert ages[56178]["age_at_start_days"] == pytest.approx(-25.98, abs=0.005)


LINE_CHARS = st.sampled_from(list("0123456789 .-+ABZ\u00b2\u0660\x00\t"))


@settings(max_examples=300, deadline=None)
@given(line=st.integers(1, 2), column=st.integers(0, 68), char=LINE_CHARS, fix_checksum=st.booleans())
def test_any_damaged_character_is_read_or_a_tle_error(line, column, char, fix_checksum):
    """Property: one character changed anywhere (checksum kept right or not) parses or is a TLEError."""

    def edit(s: str) -> str:
        s = s[:column] + char + s[column + 1 :]
        return _with_checksum(s[:68]) if fix_checksum and column < 68 else s

    try:
        sats = parse_tle(_damage(line, edit), "t.txt")
    except TLEError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("t.txt line")
        return
    elements = sats[0]
    assert 0 < elements.norad < 100_000 and elements.epoch.year >= 1957


def test_names_two_element_sets_share_get_their_norad_numbers():
    """Review: CelesTrak calls new objects "TBA - TO BE ASSIGNED"; reports keyed by name merged them.
    The name line is kept as the catalogue name; a name no other set has is left alone."""
    from kopru.space.satellites import named, parse_satellites

    text = (
        "0 TBA - TO BE ASSIGNED\n1 40010U 14033A   26150.58151813  .00001200  00000+0  14488-3 0  9992\n"
        "2 40010  97.5416 351.1236 0009320  26.8922 333.2775 14.85448035646348\n"
        "0 TBA - TO BE ASSIGNED\n1 39731U 14024A   26150.60611006  .00000525  00000+0  17277-3 0  9996\n"
        "2 39731  98.3214 223.4898 0001572  82.8897 277.2472 14.42073180636023\n"
        f"ISS (ZARYA)\n{ISS[0][:-1]}{checksum(ISS[0])}\n{ISS[1]}\n"
    )
    sats = parse_tle(text, "t.tle")
    assert sats.names == [
        "TBA - TO BE ASSIGNED (NORAD 40010)",
        "TBA - TO BE ASSIGNED (NORAD 39731)",
        "ISS (ZARYA)",
    ]
    assert [e.catalogue_name for e in sats] == ["TBA - TO BE ASSIGNED", "TBA - TO BE ASSIGNED", ""]
    # a satellites file's name replaces one; the catalogue name stays the name line, not the suffixed one
    owners = parse_satellites("norad,name,country\n40010,KazEOSat-2,Kazakhstan\n", "s.csv")
    renamed = named(sats, owners)
    assert renamed.names[0] == "KazEOSat-2" and renamed[0].catalogue_name == "TBA - TO BE ASSIGNED"
    assert renamed.names[1:] == sats.names[1:]
    # a name two rows of the satellites file give is not used, so the satellites stay apart
    owners = parse_satellites("norad,name,country\n40010,KazEOSat,Kazakhstan\n39731,KazEOSat,Kazakhstan\n")
    assert named(sats, owners).names == sats.names


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (20, ""),
        (41, "may be up to about 51 s off at 41 days"),  # 5.5 × (41/104)² = 0.855 min = 51 s
        (94, "can be about 4 minutes off: not usable for planning"),  # 4.49 min
        (191, "can be about 19 minutes off, longer than a pass lasts: not usable for planning"),  # 18.6
        (459, "can be about 107 minutes off, more than one orbit: not usable for planning"),  # 107.1
    ],
)
def test_the_stale_words_grow_with_the_square_of_the_age(days, words):
    """A second review: the same 'minutes off' at 31 and 460 days. Oracle: SOURCE.md's measurement,
    Göktürk-2 5-6 min (5.5) at 104 days, times (age / 104)², by hand."""
    from kopru.space.tle import staleness

    said = staleness(days)
    assert (words in said) if words else said == ""
    assert staleness(459, leo=False) == "the pass times may be minutes off (over 30 days)"


def test_a_file_with_no_element_set_line_says_so():
    with pytest.raises(TLEError) as caught:
        parse_tle("garbage line\nnot a tle\n", "g.txt")
    assert str(caught.value) == (
        "g.txt line 1: no line starting '1 ' found; expected two- or three-line element sets (an optional"
        " name line, then lines starting '1 ' and '2 ')"
    )
