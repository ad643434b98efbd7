"""Email addresses and phone numbers: what is stored, and the key two spellings share."""

from __future__ import annotations

from journeyhub.identity.normalize import DEFAULT_REGION, normalize_email, normalize_phone
from journeyhub.identity.standardize.reference import (
    EMAIL_DOMAIN_ALIASES,
    EMAIL_DOTS_IGNORED,
    EMAIL_PLUS_TAGS,
)

__all__ = ["DEFAULT_REGION", "email_key", "standardize_email", "standardize_phone"]


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


def standardize_phone(value: object, region: str | None = None) -> str | None:
    """E.164 for a phone number written in any usual way; ``region`` reads national numbers."""
    if value is None:
        return None
    return normalize_phone(str(value), region or DEFAULT_REGION)
