"""Normalise identifiers so that the same email or phone always yields the same key.

The rules exist twice on purpose, kept equal by tests: in Python (single values, lookups) and
as SQL expressions (bulk ingest, millions of values without a Python loop).
"""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "DE"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PUNCTUATION = r"[\s\-\(\)/\.]"
_email_re = re.compile(EMAIL_PATTERN)
_punct_re = re.compile(PHONE_PUNCTUATION)
_e164_re = re.compile(r"^\+[1-9]\d{6,14}$")
_phone_written_re = re.compile(rf"\+?(?:\d|{PHONE_PUNCTUATION})+")


def written_as_phone(value: str) -> bool:
    """Whether ``value`` is written with phone characters only (digits, a leading +, the
    punctuation numbers are written with). libphonenumber also reads letters (vanity
    numbers), which would make a userId like "C100001" a German number."""
    return _phone_written_re.fullmatch(value) is not None


def normalize_email(value: str | None) -> str | None:
    """Lower-case and trim an email address; ``None`` when it cannot be one.

    >>> normalize_email("  Anna.Mueller@Example.DE ")
    'anna.mueller@example.de'
    """
    if not value:
        return None
    email = value.strip().lower()
    return email if _email_re.match(email) else None


def _international(value: str) -> str | None:
    """E.164 for numbers already written internationally (+49…, 0049…), without a lookup."""
    digits = _punct_re.sub("", value.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits if _e164_re.match(digits) else None


def normalize_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number (``+4989123456``); ``None`` when it is not a number.

    >>> normalize_phone("089 / 12 34 56-0")
    '+498912345600'
    """
    if not value:
        return None
    fast = _international(value)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_sql(expr: str) -> str:
    """SQL twin of :func:`normalize_email`."""
    e = f"lower(trim({expr}))"
    return f"CASE WHEN regexp_matches({e}, '{EMAIL_PATTERN}') THEN {e} END"


def international_phone_sql(expr: str) -> str:
    """SQL twin of the fast path of :func:`normalize_phone` (NULL for national formats)."""
    d = f"regexp_replace(trim({expr}), '{PHONE_PUNCTUATION}', '', 'g')"
    d = f"CASE WHEN starts_with({d}, '00') THEN '+' || {d}[3:] ELSE {d} END"
    return f"CASE WHEN regexp_matches({d}, '^\\+[1-9][0-9]{{6,14}}$') THEN {d} END"
