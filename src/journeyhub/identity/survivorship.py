"""Survivorship: which source value becomes the golden value, and the lineage of each.

Rules per attribute: ``trust`` (the source's trust rank for that field), ``most_recent``
(the record its source changed last), ``most_complete`` (the longest value, "Johannes" over
"Hans"), ``most_frequent`` (what most records say), or ``sources:crm,webshop`` (a custom
order of sources). Ties fall back to trust, then recency, then the record id, so a golden
record is a pure function of its members. Address parts move together: the street of one
record is never combined with the postcode of another.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from journeyhub.identity.canonical import GOLDEN_ATTRIBUTES

ADDRESS = ("street", "house_number", "postcode", "city", "country")
DEFAULT_RULES: dict[str, str] = {
    "salutation": "trust", "gender": "most_frequent", "title": "most_complete",
    "given_name": "most_frequent", "family_name": "most_frequent", "birth_date": "most_frequent",
    "email": "most_recent", "phone": "most_recent", "address": "most_recent",
    "national_id": "trust", "organisation_name": "most_frequent", "legal_form": "trust",
    "organisation_type": "trust", "vat_id": "trust", "language": "most_frequent",
    "email_opt_in": "most_recent",
}  # fmt: skip
RULES = ("trust", "most_recent", "most_complete", "most_frequent")


class SurvivorshipError(ValueError):
    """A survivorship rule is not one we know."""


def check_rule(rule: str) -> str:
    """Return ``rule`` if valid, else raise naming the valid ones."""
    if rule in RULES or (rule.startswith("sources:") and len(rule) > len("sources:")):
        return rule
    raise SurvivorshipError(f"unknown survivorship rule {rule!r} (expected one of "
                            f"{', '.join(RULES)} or sources:NAME,NAME)")  # fmt: skip


def _tiebreak(member: dict[str, Any], field: str) -> tuple:
    updated = member.get("record_updated_at") or date.min
    return (member["field_trust"].get(field, member["trust"]), updated, member["uid"])


def _winner(members: Sequence[dict[str, Any]], field: str, rule: str) -> dict[str, Any] | None:
    filled = [m for m in members if m.get(field) is not None]
    if not filled:
        return None
    if rule == "most_frequent":
        counts = Counter(str(m[field]) for m in filled)
        return max(filled, key=lambda m: (counts[str(m[field])], _tiebreak(m, field)))
    if rule == "most_complete":
        return max(filled, key=lambda m: (len(str(m[field])), _tiebreak(m, field)))
    if rule == "most_recent":
        return max(
            filled,
            key=lambda m: (m.get("record_updated_at") or date.min, _tiebreak(m, field)),
        )
    if rule.startswith("sources:"):
        order = rule.removeprefix("sources:").split(",")
        rank = {s.strip(): len(order) - i for i, s in enumerate(order)}
        return max(filled, key=lambda m: (rank.get(m["source"], 0), _tiebreak(m, field)))
    return max(filled, key=lambda m: _tiebreak(m, field))


def survive(
    members: Sequence[dict[str, Any]], rules: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Golden attributes and their lineage ``{attr: {source, record_id, rule}}``."""
    rules = {**DEFAULT_RULES, **{f: check_rule(r) for f, r in (rules or {}).items()}}
    attributes: dict[str, Any] = {}
    lineage: dict[str, dict[str, Any]] = {}
    for field in GOLDEN_ATTRIBUTES:
        if field in ADDRESS:
            continue
        rule = rules.get(field, "trust")
        win = _winner(members, field, rule)
        if win is not None:
            attributes[field] = win[field]
            lineage[field] = {"source": win["source"], "record_id": win["record_id"],
                              "rule": rule}  # fmt: skip
    rule = rules["address"]
    win = _winner(members, "postcode", rule) or _winner(members, "street", rule)
    if win is not None:
        for field in ADDRESS:
            if win.get(field) is not None:
                attributes[field] = win[field]
                lineage[field] = {"source": win["source"], "record_id": win["record_id"],
                                  "rule": rule}  # fmt: skip
    return attributes, lineage


def identifiers(members: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Every identifier the golden record is known by: emails, phones, customer numbers."""
    emails = sorted({e for m in members for e in (m.get("emails") or [])})
    phones = sorted({p for m in members for p in (m.get("phones") or [])})
    numbers = sorted(
        {f"{m['source']}:{m['customer_number']}" for m in members if m.get("customer_number")}
    )
    records = sorted(m["uid"] for m in members)
    return {"emails": emails, "phones": phones, "customer_numbers": numbers, "records": records}
