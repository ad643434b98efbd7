"""Turn one source record into the canonical, standardised row that matching compares.

The row keeps the standard values (what a golden record shows) and the matching keys derived
from them (``*_key``: what two spellings of the same value share).
"""

from __future__ import annotations

import re
from typing import Any

from journeyhub.identity import standardize as std
from journeyhub.identity.sources import SourceMapping

STD_COLUMNS = (
    "uid", "source", "record_id", "kind", "content_hash", "trust", "record_updated_at",
    "salutation", "gender", "title", "given_name", "family_name", "birth_date", "birth_year",
    "email", "emails", "phone", "phones", "street", "house_number", "postcode", "city",
    "country", "customer_number", "national_id", "organisation_name", "legal_form",
    "organisation_type", "vat_id", "language", "email_opt_in", "changes",
    "given_key", "family_key", "email_key", "phone_tail", "street_key", "city_key",
    "organisation_key", "email_head", "email_tail",
)  # fmt: skip
# Bumped whenever standardisation produces something new for the same input: stored rows
# of an older version are redone on the next resolution (identity/standardizing.py).
STANDARDIZER_VERSION = "2"
# The attributes a golden record is made of (survivorship picks one value each).
GOLDEN_ATTRIBUTES = (
    "salutation", "gender", "title", "given_name", "family_name", "birth_date", "email",
    "phone", "street", "house_number", "postcode", "city", "country", "national_id",
    "organisation_name", "legal_form", "organisation_type", "vat_id", "language",
    "email_opt_in",
)  # fmt: skip
_TRUE = {"true", "1", "yes", "ja", "y", "j", "x", "opt-in", "optin"}


def record_uid(source: str, record_id: str) -> str:
    """The id of one source record across the hub: ``source/record_id``."""
    return f"{source}/{record_id}"


def _first(raw: dict[str, Any], mapping: SourceMapping, field: str) -> Any:
    spec = mapping.fields.get(field)
    if spec is None:
        return None
    for column in spec.columns:
        value = raw.get(column)
        if value is not None and str(value).strip() != "":
            return value
    return None


def _all(raw: dict[str, Any], mapping: SourceMapping, field: str) -> list[Any]:
    spec = mapping.fields.get(field)
    return [raw.get(c) for c in spec.columns] if spec else []


def _flag(value: Any) -> bool | None:
    if value is None or str(value).strip() == "":
        return None
    return str(value).strip().lower() in _TRUE


def _digits_tail(phone: str | None) -> str | None:
    return re.sub(r"\D", "", phone)[-8:] if phone else None


def standardize_record(
    source: str, record_id: str, raw: dict[str, Any], mapping: SourceMapping, content_hash: str
) -> dict[str, Any]:
    """The canonical row of one raw record, and how many values standardisation changed."""
    get = lambda field: _first(raw, mapping, field)  # noqa: E731
    country = std.standardize_country(get("country"), mapping.country)
    row: dict[str, Any] = dict.fromkeys(STD_COLUMNS)
    row.update(
        uid=record_uid(source, record_id),
        source=source,
        record_id=record_id,
        kind=mapping.kind,
        content_hash=content_hash,
        trust=mapping.trust,
        record_updated_at=std.standardize_date(raw.get(mapping.updated_at))
        if mapping.updated_at
        else None,
    )
    changes = 0

    def put(field: str, value: Any, typed: Any = None) -> None:
        nonlocal changes
        row[field] = value
        if value is not None and typed is not None and str(value) != str(typed).strip():
            changes += 1

    if mapping.kind == "person":
        name = std.split_full_name(get("full_name")) if get("full_name") else std.PersonName()
        salutation, gender = std.standardize_salutation(get("salutation"))
        put("salutation", salutation or name.salutation, get("salutation"))
        row["gender"] = gender or name.gender
        put("title", std.standardize_title(get("title")) or name.title, get("title"))
        put("given_name", std.standardize_given(get("given_name")) or name.given_name,
            get("given_name"))  # fmt: skip
        put("family_name", std.standardize_family(get("family_name")) or name.family_name,
            get("family_name"))  # fmt: skip
        birth = std.standardize_date(
            get("birth_date"), mapping.fields["birth_date"].format if get("birth_date") else None
        )
        row["birth_date"] = birth.isoformat() if birth else None
        row["birth_year"] = birth.year if birth else std.standardize_year(get("birth_year"))
        put("national_id", re.sub(r"\s", "", str(get("national_id"))) if get("national_id")
            else None, get("national_id"))  # fmt: skip
        row["language"] = (
            (str(get("language")).strip().lower()[:2] or None) if get("language") else None
        )
        row["email_opt_in"] = _flag(get("email_opt_in"))
    org_name, legal_form = std.split_legal_form(get("organisation_name"))
    if mapping.kind == "organisation":
        put("organisation_name", org_name, get("organisation_name"))
        row["legal_form"] = std.standardize_legal_form(get("legal_form")) or legal_form
        row["organisation_type"] = get("organisation_type")
        put("vat_id", std.standardize_vat_id(get("vat_id")), get("vat_id"))
    else:
        row["organisation_name"] = get("organisation_name") and str(get("organisation_name"))
    emails = [e for e in (std.standardize_email(v) for v in _all(raw, mapping, "email")) if e]
    phones = [
        p for p in (std.standardize_phone(v, country) for v in _all(raw, mapping, "phone")) if p
    ]
    put("email", emails[0] if emails else None, get("email"))
    put("phone", phones[0] if phones else None, get("phone"))
    row["emails"], row["phones"] = emails or None, phones or None
    address = std.standardize_address(
        get("street"),
        get("postcode"),
        get("city"),
        get("country"),
        get("house_number"),
        default_country=mapping.country,
    )
    put("street", address.street, get("street"))
    row["house_number"] = address.house_number
    put("postcode", address.postcode, get("postcode"))
    put("city", address.city, get("city"))
    row["country"] = address.country
    customer_number = get("customer_number")
    row["customer_number"] = str(customer_number).strip() if customer_number else None
    row["changes"] = changes
    row.update(
        given_key=std.given_key(row["given_name"]),
        family_key=std.family_key(row["family_name"]),
        email_key=std.email_key(row["email"]),
        phone_tail=_digits_tail(row["phone"]),
        street_key=std.street_key(row["street"]),
        city_key=std.match_key(row["city"]),
        organisation_key=std.organisation_key(row["organisation_name"]),
    )
    row["email_head"], row["email_tail"] = std.email_halves(row["email_key"])
    return row
