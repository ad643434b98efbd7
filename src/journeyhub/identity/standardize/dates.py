"""Birth dates typed in German, ISO and compact forms."""

from __future__ import annotations

from datetime import date, datetime

from journeyhub.identity.standardize.text import clean

FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%d/%m/%Y", "%d.%m.%y", "%Y/%m/%d")


def standardize_date(value: object, fmt: str | None = None) -> date | None:
    """A date from "20.04.1943", "1943-04-20", "19430420" (or the given format); None if not."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean(value)
    if not text:
        return None
    text = text.split("T")[0]
    for pattern in (fmt,) if fmt else FORMATS:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed.year < 1900 or parsed > date.today():
            return None
        return parsed
    return None


def standardize_year(value: object) -> int | None:
    """A plausible birth year (1900 up to this year) or None."""
    text = clean(value)
    if not text:
        return None
    try:
        year = int(float(text))
    except ValueError:
        return None
    return year if 1900 <= year <= date.today().year else None
