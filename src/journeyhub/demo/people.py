"""People, households and B2B accounts of the demo company, and how each source system
records them (with the dirt real systems have)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from journeyhub.demo import data

TRANSLIT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


@dataclass
class Address:
    street: str
    house: str
    postcode: str
    city: str
    country: str
    area_code: str


@dataclass
class Account:
    """A B2B account: manufacturer, reseller, public authority or institution."""

    account_id: str
    name: str
    kind: str
    legal_form: str | None
    vat_id: str | None
    address: Address


@dataclass
class Person:
    """One real customer (the ground truth all source records point back to)."""

    pid: int
    user_id: str
    lang: str
    gender: str
    given: str
    family: str
    title: str | None
    birth: date
    email: str
    phone: str  # E.164 without formatting
    address: Address
    old_address: Address | None
    persona: str
    created: datetime
    account: Account | None = None
    role: str | None = None
    shares_email_with: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_address(rng: random.Random, country: str | None = None) -> Address:
    country = country or weighted(rng, data.COUNTRY_WEIGHTS)
    city, area, first, last, step = rng.choice(data.PLACES[country])
    postcode = first
    if first != last:
        number = rng.randrange(int(first), int(last) + 1, step)
        postcode = str(number).zfill(len(first))
    streets = data.STREETS_DE if country in ("DE", "AT", "CH") else data.STREETS_INT
    house = str(rng.randint(1, 180)) + (rng.choice("abc") if rng.random() < 0.08 else "")
    return Address(rng.choice(streets), house, postcode, city, country, area)


def _ascii_local(text: str) -> str:
    return text.translate(TRANSLIT).lower().replace(" ", "").replace(".", "").replace("'", "")


def make_account(rng: random.Random, index: int) -> Account:
    kind = rng.choice(list(data.ACCOUNT_TYPES))
    address = make_address(rng, weighted(rng, {"DE": 80, "AT": 10, "CH": 10}))
    pattern = rng.choice(data.ACCOUNT_TYPES[kind])
    if kind in ("manufacturer", "reseller"):
        legal = rng.choice(data.LEGAL_FORMS)
        name = f"{pattern.format(rng.choice(data.GERMAN_SURNAMES))} {legal}"
        vat = f"{address.country}{rng.randint(100_000_000, 999_999_999)}"
    else:
        legal, vat = None, None
        name = pattern.format(city=address.city)
    return Account(f"ACC-{index:06d}", name, kind, legal, vat, address)


def make_person(
    rng: random.Random,
    pid: int,
    start: datetime,
    *,
    account: Account | None = None,
    partner: Person | None = None,
) -> Person:
    english = rng.random() < 0.15
    gender = rng.choice("mf")
    if english:
        given = rng.choice(data.ENGLISH_MALE if gender == "m" else data.ENGLISH_FEMALE)
        family = rng.choice(data.ENGLISH_SURNAMES)
    else:
        given = rng.choice(data.GERMAN_MALE if gender == "m" else data.GERMAN_FEMALE)
        r = rng.random()
        family = rng.choice(
            data.NOBLE_SURNAMES if r < 0.01
            else data.GERMAN_SURNAMES if r < data.COMMON_SURNAME_SHARE
            else data.RARE_SURNAMES
        )  # fmt: skip
    if partner is not None:
        family = partner.family
    address = (
        partner.address
        if partner
        else (account.address if account and rng.random() < 0.3 else make_address(rng))
    )
    old_address = make_address(rng, address.country) if rng.random() < 0.08 else None
    # a mailbox belongs to one person (or one household): the person number keeps the many
    # Anna Müllers of a large company apart, as providers do with their own suffixes
    g, f = _ascii_local(given), _ascii_local(family)
    local = rng.choice((f"{g}.{f}{pid}", f"{g[0]}{f}{pid}", f"{f}.{g}.{pid}", f"{g}{pid}"))
    if account is not None:
        domain = _ascii_local(account.name.split()[0]) + "." + account.address.country.lower()
        email = f"{local}@{domain}"
    else:
        email = f"{local}@{rng.choice(data.EMAIL_DOMAINS)}"
    shares = None
    if partner is not None:
        email, shares = partner.email, partner.pid  # a shared family mailbox
    calling = data.COUNTRY_CALLING[address.country]
    mobile = rng.random() < 0.6 and address.country in ("DE", "AT", "CH")
    national = rng.choice(("151", "160", "170", "171", "176")) if mobile else address.area_code
    # a permutation of the person number: no two people share a line
    phone = f"+{calling}{national}{1_000_000 + (pid * 7_919) % 9_000_000}"
    birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 65))
    title = rng.choice(data.TITLES) if rng.random() < 0.04 else None
    persona = weighted(
        rng, {"loyal": 25, "occasional": 40, "bargain_hunter": 20, "one_and_done": 15}
    )
    return Person(
        pid=pid,
        user_id=f"C{100000 + pid}",
        lang="en" if english else "de",
        gender=gender,
        given=given,
        family=family,
        title=title,
        birth=birth,
        email=email,
        phone=phone,
        address=address,
        old_address=old_address,
        persona=persona,
        created=start,
        account=account,
        role=rng.choice(("Einkauf", "Geschäftsführung", "IT", "Verwaltung")) if account else None,
        shares_email_with=shares,
    )


# -- dirt --------------------------------------------------------------------------------------


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.random()
    if op < 0.33:
        return text[:i] + text[i + 1 :]
    if op < 0.66:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeinrst") + text[i + 1 :]


def phone_variant(rng: random.Random, e164: str, country: str) -> str:
    calling = data.COUNTRY_CALLING[country]
    national = e164[1 + len(calling) :]
    style = rng.random()
    if style < 0.3:
        return e164
    if style < 0.55:
        return f"+{calling} {national[:3]} {national[3:]}"
    if style < 0.8:
        return f"0{national[:3]}/{national[3:]}" if country != "US" else e164
    return f"00{calling}-{national[:3]}-{national[3:]}"


def street_variant(rng: random.Random, street: str, house: str) -> str:
    r = rng.random()
    if street.endswith("straße") and r < 0.35:
        street = street[:-6] + "str."
    elif street.endswith("straße") and r < 0.5:
        street = street[:-6] + "strasse"
    return f"{street} {house}"


def name_variant(rng: random.Random, given: str, family: str) -> tuple[str, str]:
    """What a clerk typed: nickname, transliteration, typo, or case noise."""
    r = rng.random()
    if r < 0.05 and given in data.NICKNAMES:
        given = data.NICKNAMES[given]
    elif r < 0.15:
        family = family.translate(TRANSLIT)
    elif r < 0.2:
        family = typo(rng, family)
    elif r < 0.23:
        given = typo(rng, given)
    elif r < 0.26:
        family = family.upper()
    return given, family


def maybe(rng: random.Random, value: str | None, p_missing: float) -> str | None:
    return None if rng.random() < p_missing else value
