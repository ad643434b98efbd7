"""Personal names: salutation, academic titles, particles, case, umlauts, nicknames."""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeyhub.identity.standardize.reference import NICKNAMES, PARTICLES, SALUTATIONS, TITLES
from journeyhub.identity.standardize.text import ascii_fold, clean, fix_case, match_key

_title_res = [
    (t, re.compile(r"^" + re.escape(t).replace(r"\ ", r"\s*") + r"(?=\s|$)", re.IGNORECASE))
    for t in TITLES
]
_particle_re = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in PARTICLES) + r")\b", re.IGNORECASE
)


@dataclass(frozen=True)
class PersonName:
    """A standardised personal name."""

    salutation: str | None = None
    gender: str | None = None
    title: str | None = None
    given_name: str | None = None
    family_name: str | None = None


def standardize_salutation(value: object) -> tuple[str | None, str | None]:
    """``("Herr", "m")`` from "HERR", "Hr." …; ``(None, None)`` when unknown."""
    text = clean(value)
    if not text:
        return None, None
    return SALUTATIONS.get(text.lower().rstrip(".").strip(), (None, None))


def split_title(text: str) -> tuple[str | None, str]:
    """Academic titles written before a name, and the rest: ("Prof. Dr.", "Anna Weber")."""
    titles: list[str] = []
    rest = text.strip()
    while True:
        for title, pattern in _title_res:
            match = pattern.match(rest)
            if match:
                titles.append(title)
                rest = rest[match.end() :].strip()
                break
        else:
            break
    return (" ".join(titles) or None), rest


def standardize_title(value: object) -> str | None:
    """Standard spelling of an academic title field ("dr" -> "Dr.")."""
    text = clean(value)
    if not text:
        return None
    if not text.endswith(".") and re.fullmatch(r"(?i)(dr|prof)", text):
        text += "."
    title, rest = split_title(text)
    return title if not rest else text


def _family_case(text: str) -> str:
    fixed = fix_case(text)
    return _particle_re.sub(lambda m: m.group(0).lower(), fixed) if fixed != text else text


def standardize_given(value: object) -> str | None:
    """Given name with its case fixed ("ANNA-LENA" -> "Anna-Lena")."""
    text = clean(value)
    return fix_case(text) if text else None


def standardize_family(value: object) -> str | None:
    """Family name with case fixed and particles lower-case ("VON DER HEYDT" -> "von der Heydt")."""
    text = clean(value)
    return _family_case(text) if text else None


def split_full_name(value: object) -> PersonName:
    """Split a one-field name: "Müller, Anna", "Dr. Anna Müller", "Herr Hans von Goethe".

    >>> split_full_name("MÜLLER, ANNA").family_name
    'Müller'
    >>> name = split_full_name("Frau Dr. Eva von der Heydt")
    >>> name.salutation, name.title, name.given_name, name.family_name
    ('Frau', 'Dr.', 'Eva', 'von der Heydt')
    """
    text = clean(value)
    if not text:
        return PersonName()
    salutation = gender = None
    first, _, remainder = text.partition(" ")
    salutation, gender = standardize_salutation(first)
    if salutation:
        text = remainder
    title, text = split_title(text)
    if "," in text:
        family, _, given = text.partition(",")
        return PersonName(
            salutation, gender, title, standardize_given(given), standardize_family(family)
        )
    words = text.split(" ")
    if len(words) == 1:
        return PersonName(salutation, gender, title, None, standardize_family(words[0]))
    split_at = len(words) - 1
    for i in range(1, len(words)):
        if _particle_re.fullmatch(words[i]):
            split_at = i
            break
    return PersonName(
        salutation,
        gender,
        title,
        standardize_given(" ".join(words[:split_at])),
        standardize_family(" ".join(words[split_at:])),
    )


def family_key(family_name: str | None) -> str | None:
    """Matching key of a family name, without particles: "von Müller" -> "mueller"."""
    if not family_name:
        return None
    core = _particle_re.sub(" ", family_name).strip() or family_name
    return match_key(core)


def given_key(given_name: str | None) -> str | None:
    """Matching key of a given name: the first name, nickname resolved ("Hans" -> "johannes")."""
    if not given_name:
        return None
    first = re.split(r"[\s\-]", given_name.strip())[0]
    folded = ascii_fold(first)
    key = match_key(NICKNAMES.get(first.lower(), NICKNAMES.get(folded, first)))
    return key
