"""Postal addresses for DE/AT/CH and abroad: street and house number, postcode, city, country."""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeyhub.identity.standardize.reference import COUNTRIES, NUMBER_FIRST, POSTCODE_PATTERNS
from journeyhub.identity.standardize.text import clean, fix_case, match_key

_house = r"\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?"
_number_last = re.compile(rf"^(?P<street>.*?\D)\s*,?\s*(?P<house>{_house})$")
_number_first = re.compile(rf"^(?P<house>{_house})\s*,?\s+(?P<street>\D.*)$")
_strasse = re.compile(r"(?i)(str\.|strasse|straße|str\b)")
NO_ESZETT = frozenset({"CH", "LI"})
_STREET_KEY_ENDINGS = ((r"strasse$", "str"), (r"str$", "str"), (r"platz$", "pl"), (r"weg$", "weg"))


@dataclass(frozen=True)
class Address:
    """A standardised postal address."""

    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None


def standardize_country(value: object, default: str | None = None) -> str | None:
    """ISO 3166 alpha-2 code from "Deutschland", "Germany", "D", "de" …"""
    text = clean(value)
    if not text:
        return default
    return COUNTRIES.get(text.lower().rstrip("."), text.upper() if len(text) == 2 else default)


def standardize_street(value: str, country: str | None = None) -> str:
    """ "hauptstr." -> "Hauptstraße"; Swiss streets keep "strasse" (no ß in Switzerland)."""
    street = fix_case(value.strip().rstrip(","))
    if country in NO_ESZETT:
        return _strasse.sub(lambda m: "Strasse" if m.group(0)[0].isupper() else "strasse", street)
    return _strasse.sub(lambda m: "Straße" if m.group(0)[0].isupper() else "straße", street)


def split_street(value: object, country: str | None = None) -> tuple[str | None, str | None]:
    """Street and house number from one field: "Hauptstr. 12 a" -> ("Hauptstraße", "12a")."""
    text = clean(value)
    if not text:
        return None, None
    patterns = (
        (_number_first, _number_last) if country in NUMBER_FIRST else (_number_last, _number_first)
    )
    for pattern in patterns:
        match = pattern.match(text)
        if match:
            house = re.sub(r"\s+", "", match.group("house")).lower()
            return standardize_street(match.group("street"), country), house
    return standardize_street(text, country), None


def standardize_postcode(
    value: object, country: str | None, *, country_known: bool = True
) -> str | None:
    """Postcode in its country's shape ("sw1a1aa" -> "SW1A 1AA").

    A German postcode that lost its leading zero (1067 -> 01067) is repaired only when the
    record itself says Germany: a four-digit code is just as likely Austrian or Swiss.
    """
    text = clean(value)
    if not text:
        return None
    code = text.upper().replace(" ", "")
    if country == "DE" and country_known and code.isdigit() and len(code) == 4:
        code = code.zfill(5)  # Excel ate the leading zero of 01067 Dresden
    if country == "GB" and len(code) > 3:
        code = f"{code[:-3]} {code[-3:]}"
    elif country == "NL" and len(code) == 6:
        code = f"{code[:4]} {code[4:]}"
    elif country == "PL" and len(code) == 5 and code.isdigit():
        code = f"{code[:2]}-{code[2:]}"
    for prefix in ("D-", "A-", "CH-"):
        if code.startswith(prefix):
            code = code[len(prefix) :]
    return code


# Postcode shapes no other country writes: they name the country when the record does not.
_TELLING_SHAPES = (("GB", re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")),
                   ("NL", re.compile(r"^\d{4}[A-Z]{2}$")))  # fmt: skip


def country_of_postcode(value: object) -> str | None:
    """The country a postcode's shape alone gives away ("M1 1AE" -> GB), else ``None``."""
    text = clean(value)
    code = text.upper().replace(" ", "") if text else ""
    return next((iso for iso, shape in _TELLING_SHAPES if shape.match(code)), None)


def postcode_is_valid(postcode: str | None, country: str | None) -> bool | None:
    """Whether the postcode fits its country's shape; ``None`` when the country is unknown."""
    if not postcode:
        return False
    pattern = POSTCODE_PATTERNS.get(country or "")
    return None if pattern is None else re.match(pattern, postcode) is not None


def standardize_city(value: object) -> str | None:
    """City with fixed case; "Frankfurt a.M." spacing kept as typed."""
    text = clean(value)
    return fix_case(text) if text else None


def standardize_address(
    street: object = None,
    postcode: object = None,
    city: object = None,
    country: object = None,
    house_number: object = None,
    default_country: str | None = None,
) -> Address:
    """A whole address from its parts; the house number is split off the street when needed."""
    iso = standardize_country(country, default_country)
    if clean(country) is None:  # a store's card without a country: "M1 1AE" is still British
        iso = country_of_postcode(postcode) or iso
    street_name, house = split_street(street, iso)
    if house_number is not None and clean(house_number):
        house = re.sub(r"\s+", "", str(house_number)).lower()
    code = standardize_postcode(postcode, iso, country_known=clean(country) is not None)
    return Address(street_name, house, code, standardize_city(city), iso)


def street_key(street: str | None) -> str | None:
    """What spellings of one street share: "Hauptstr." and "Hauptstrasse" -> "hauptstr"."""
    key = match_key(street)
    if not key:
        return None
    for ending, short in _STREET_KEY_ENDINGS:
        key = re.sub(ending, short, key)
    return key
