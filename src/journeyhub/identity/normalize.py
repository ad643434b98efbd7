"""Normalise identifiers so that the same email or phone always yields the same key."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "DE"


def normalize_email(value: str | None) -> str | None:
    """Lower-case and trim an email address; ``None`` when it cannot be one.

    >>> normalize_email("  Anna.Mueller@Example.DE ")
    'anna.mueller@example.de'
    """
    if not value:
        return None
    email = value.strip().lower()
    local, sep, domain = email.partition("@")
    if not sep or not local or "." not in domain or " " in email:
        return None
    return email


def normalize_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number (``+4989123456``); ``None`` when it is not a valid number.

    >>> normalize_phone("089 / 12 34 56-0")
    '+498912345600'
    """
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
