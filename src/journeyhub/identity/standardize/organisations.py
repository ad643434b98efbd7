"""Organisation names and legal forms (GmbH, AG, e.K., Ltd, Inc …), VAT ids."""

from __future__ import annotations

import re

from journeyhub.identity.standardize.reference import LEGAL_FORMS
from journeyhub.identity.standardize.text import clean, match_key

_forms = sorted(LEGAL_FORMS, key=len, reverse=True)
_form_re = re.compile(r"[\s,]+(" + "|".join(re.escape(f) for f in _forms) + r")\s*$", re.IGNORECASE)


def split_legal_form(value: object) -> tuple[str | None, str | None]:
    """Name and standard legal form: "Scholz Metallbau G.m.b.H." -> ("Scholz Metallbau", "GmbH")."""
    text = clean(value)
    if not text:
        return None, None
    match = _form_re.search(text)
    if not match:
        return text, None
    return text[: match.start()].strip(" ,") or text, LEGAL_FORMS[match.group(1).lower()]


def standardize_legal_form(value: object) -> str | None:
    """Standard spelling of a legal-form field ("gmbh" -> "GmbH"); unknown forms kept."""
    text = clean(value)
    if not text:
        return None
    return LEGAL_FORMS.get(text.lower(), text)


def organisation_key(name: str | None) -> str | None:
    """Matching key of an organisation name without its legal form."""
    core, _ = split_legal_form(name)
    return match_key(core)


def standardize_vat_id(value: object) -> str | None:
    """VAT id upper-case without spaces or dots ("de 123.456.789" -> "DE123456789")."""
    text = clean(value)
    if not text:
        return None
    vat = re.sub(r"[\s.\-]", "", text.upper())
    return vat if re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2,13}", vat) else None
