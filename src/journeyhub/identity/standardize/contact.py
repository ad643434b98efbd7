"""Email addresses and phone numbers: what is stored, and the key two spellings share."""

from __future__ import annotations

from journeyhub.identity.normalize import DEFAULT_REGION, normalize_email, normalize_phone
from journeyhub.identity.standardize.reference import (
    EMAIL_DOMAIN_ALIASES,
    EMAIL_DOTS_IGNORED,
    EMAIL_PLUS_TAGS,
)

__all__ = [
    "DEFAULT_REGION", "email_halves", "email_key", "standardize_email", "standardize_phone",
]  # fmt: skip


def standardize_email(value: object) -> str | None:
    """Lower-cased, trimmed email; ``None`` when it is not an address."""
    return normalize_email(str(value)) if value is not None else None


def email_key(email: str | None) -> str | None:
    """The mailbox an address reaches, ignoring provider-specific aliases.

    >>> email_key("anna.mueller+shop@googlemail.com")
    'annamueller@gmail.com'
    """
    if not email:
        return None
    local, _, domain = email.rpartition("@")
    domain = EMAIL_DOMAIN_ALIASES.get(domain, domain)
    if domain in EMAIL_PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in EMAIL_DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{domain}"


MIN_HALF_LOCAL = 4  # the tail keeps at least this much of the local part


def email_halves(key: str | None) -> tuple[str | None, str | None]:
    """The two halves of an email key, for finding an address with one typo in it.

    One typo spoils at most one half, so two spellings of one address still share the
    other. The tail keeps at least four characters of the local part (else every
    ``...@gmail.com`` would share it), and an address too short for that has no halves.

    >>> email_halves("daniela.bauer92@gmx.at")
    ('daniela.bau', 'er92@gmx.at')
    """
    if not key:
        return None, None
    local_length = key.rfind("@")
    cut = min(len(key) // 2, local_length - MIN_HALF_LOCAL)
    if cut < MIN_HALF_LOCAL:
        return None, None
    return key[:cut], key[cut:]


def standardize_phone(value: object, region: str | None = None) -> str | None:
    """E.164 for a phone number written in any usual way; ``region`` reads national numbers."""
    if value is None:
        return None
    return normalize_phone(str(value), region or DEFAULT_REGION)
