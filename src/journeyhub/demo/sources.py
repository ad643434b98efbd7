"""How each of the five source systems holds a person, in its own field names."""

from __future__ import annotations

import random
from collections.abc import Iterator

from journeyhub.demo.people import (
    Account,
    Person,
    maybe,
    name_variant,
    phone_variant,
    street_variant,
    typo,
)

FIELDS: dict[str, list[str]] = {
    "crm": ["KundenNr", "Anrede", "Titel", "Vorname", "Nachname", "Firma", "Strasse", "PLZ",
            "Ort", "Land", "EMail", "Telefon", "Geburtsdatum", "KundeSeit"],
    "webshop": ["customer_id", "email", "first_name", "last_name", "street_address", "zip",
                "city", "country_code", "phone", "birthday", "created_at", "newsletter_opt_in"],
    "support": ["contact_id", "full_name", "email", "phone", "company", "language",
                "last_ticket_at"],
    "pos": ["loyalty_card", "name", "postcode", "city", "birth_year", "home_store", "phone"],
    "newsletter": ["subscriber_id", "email", "first_name", "salutation", "opt_in",
                   "opt_in_date", "language"],
    "crm_accounts": ["AccountNr", "Firmenname", "Typ", "Rechtsform", "UStIdNr", "Strasse",
                     "PLZ", "Ort", "Land"],
}  # fmt: skip
PERSON_SYSTEMS = ("crm", "webshop", "support", "pos", "newsletter")
COVERAGE = {"crm": 0.7, "webshop": 0.6, "support": 0.35, "pos": 0.3, "newsletter": 0.4}


def _salutation(p: Person) -> str:
    if p.lang == "en":
        return "Mr" if p.gender == "m" else "Ms"
    return "Herr" if p.gender == "m" else "Frau"


def person_records(rng: random.Random, p: Person) -> Iterator[tuple[str, dict[str, object]]]:
    """(system, record) pairs for one person; at least one system knows everyone."""
    systems = [s for s in PERSON_SYSTEMS if rng.random() < COVERAGE[s]]
    if p.account is not None and "crm" not in systems:
        systems.append("crm")
    if not systems:
        systems = [rng.choice(PERSON_SYSTEMS)]
    for system in systems:
        copies = 2 if system == "webshop" and rng.random() < 0.02 else 1  # second shop account
        for copy in range(copies):
            yield system, _record(rng, p, system, copy)


def _record(rng: random.Random, p: Person, system: str, copy: int) -> dict[str, object]:
    given, family = name_variant(rng, p.given, p.family)
    if rng.random() < 0.03:
        given, family = family, given  # swapped first/last name
    addr = p.old_address if (p.old_address and system in ("crm", "pos")) else p.address
    email = p.email if rng.random() > 0.03 else typo(rng, p.email)
    if rng.random() < 0.1:
        email = email.upper() if rng.random() < 0.3 else email.capitalize()
    phone = phone_variant(rng, p.phone, p.address.country)
    n = p.pid
    if system == "crm":
        return {
            "KundenNr": f"K-{200000 + n}",
            "Anrede": _salutation(p),
            "Titel": p.title,
            "Vorname": given,
            "Nachname": family,
            "Firma": p.account.name if p.account else None,
            "Strasse": street_variant(rng, addr.street, addr.house),
            "PLZ": addr.postcode,
            "Ort": addr.city,
            "Land": addr.country,
            "EMail": maybe(rng, email, 0.15),
            "Telefon": maybe(rng, phone, 0.3),
            "Geburtsdatum": maybe(rng, p.birth.strftime("%d.%m.%Y"), 0.4),
            "KundeSeit": p.created.date().isoformat(),
        }
    if system == "webshop":
        cid = p.user_id if copy == 0 else f"C{900000 + n}"
        return {
            "customer_id": cid,
            "email": email if copy == 0 else typo(rng, email),
            "first_name": given,
            "last_name": family,
            "street_address": maybe(rng, street_variant(rng, addr.street, addr.house), 0.1),
            "zip": addr.postcode,
            "city": addr.city,
            "country_code": addr.country,
            "phone": maybe(rng, phone, 0.5),
            "birthday": maybe(rng, p.birth.isoformat(), 0.7),
            "created_at": p.created.isoformat(),
            "newsletter_opt_in": rng.random() < 0.4,
        }
    if system == "support":
        full = f"{given} {family}" if rng.random() < 0.8 else f"{family}, {given}"
        return {
            "contact_id": f"S-{300000 + n}",
            "full_name": full,
            "email": email,
            "phone": maybe(rng, phone, 0.2),
            "company": p.account.name if p.account else None,
            "language": p.lang,
            "last_ticket_at": p.created.date().isoformat(),
        }
    if system == "pos":
        return {
            "loyalty_card": f"L{400000 + n:07d}",
            "name": f"{family}, {given}",
            "postcode": addr.postcode,
            "city": addr.city,
            "birth_year": p.birth.year,
            "home_store": None,
            "phone": maybe(rng, phone, 0.6),
        }
    return {
        "subscriber_id": f"N-{500000 + n}",
        "email": email,
        "first_name": maybe(rng, given, 0.3),
        "salutation": maybe(rng, _salutation(p), 0.5),
        "opt_in": True,
        "opt_in_date": p.created.date().isoformat(),
        "language": p.lang,
    }


def account_record(a: Account) -> dict[str, object]:
    """The CRM's organisation record of an account."""
    return {
        "AccountNr": a.account_id,
        "Firmenname": a.name,
        "Typ": a.kind,
        "Rechtsform": a.legal_form,
        "UStIdNr": a.vat_id,
        "Strasse": f"{a.address.street} {a.address.house}",
        "PLZ": a.address.postcode,
        "Ort": a.address.city,
        "Land": a.address.country,
    }
