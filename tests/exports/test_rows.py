"""Row helpers: formula neutralisation and the local-time clock, exact around changes of offset."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.exports.rows import Clock, neutralise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("+1", "'+1"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("", ""),
        ("Hej = hallå", "Hej = hallå"),
        ("'already", "'already"),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize("zone", ["Europe/Stockholm", "America/St_Johns", "Australia/Lord_Howe", "UTC"])
@pytest.mark.parametrize("raw_text", [True, False])
def test_clock_matches_zoneinfo_every_minute_across_a_year(zone, raw_text):
    tz = ZoneInfo(zone)
    clock = Clock(tz, raw_text)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    # Every 7 minutes for a year: crosses every change of offset, including half-hour ones.
    for _ in range(0, 365 * 24 * 60, 7):
        fetched = moment.strftime("%Y-%m-%d %H:%M:%S.000000") if raw_text else moment
        utc = clock.utc(fetched)
        if raw_text:  # as the generated row function does: the hour's offset, else the exact way
            offset = clock.text_offsets.get(fetched[:13])
            local = utc + offset if offset is not None else clock.local_of_text(fetched, utc)
        else:
            local = clock.local(utc)
        assert local == moment.astimezone(tz).replace(tzinfo=None), moment
        moment += timedelta(minutes=7)


def test_clock_iso_has_the_offset():
    clock = Clock(ZoneInfo("Europe/Stockholm"), raw_text=True)
    assert clock.iso(datetime(2026, 7, 1, 12, 0)) == "2026-07-01T14:00:00+02:00"
