"""The person matching model: what is compared, how candidate pairs are found, thresholds.

Comparisons and blocking rules are declared once here, over the standardised columns of
``std_records``; the Splink engine (batch, DuckDB or Spark) and the incremental scorer (single
records) both read them, so a record is judged the same way whichever path it takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

UNIQUE_ID = "uid"
MODEL_COLUMNS = (
    "uid", "given_key", "family_key", "birth_date", "birth_year", "email_key", "phone",
    "phone_tail", "street_key", "house_number", "postcode", "national_id", "email_head",
    "email_tail",
)  # fmt: skip
# their SQL types in std_records (for one record's values passed as parameters)
MODEL_COLUMN_TYPES = {c: "INTEGER" if c == "birth_year" else "VARCHAR" for c in MODEL_COLUMNS}


@dataclass(frozen=True)
class BlockingKey:
    """Candidate pairs agree on every column (``swapped``: given and family name crossed)."""

    columns: tuple[str, ...]
    swapped: bool = False

    def splink_rule(self) -> BlockingRuleCreator | str:
        """The same rule in Splink's terms."""
        if not self.swapped:
            return block_on(*self.columns)
        extra = "".join(f" AND l.{c} = r.{c}" for c in self.columns)
        return f"l.given_key = r.family_key AND l.family_key = r.given_key{extra}"

    @property
    def lookup_columns(self) -> tuple[str, ...]:
        """Columns a candidate must have filled to be found by this rule."""
        return (*self.columns, "given_key", "family_key") if self.swapped else self.columns


# Candidate pairs: records that agree on at least one of these keys are compared.
BLOCKING_KEYS: tuple[BlockingKey, ...] = (
    BlockingKey(("email_key",)),
    BlockingKey(("phone",)),
    BlockingKey(("national_id",)),
    BlockingKey(("given_key", "postcode")),  # a typo in the family name
    BlockingKey(("family_key", "postcode")),  # a typo in the given name
    BlockingKey(("given_key", "family_key", "birth_year")),
    BlockingKey(("postcode",), swapped=True),
    BlockingKey(("family_key", "street_key", "house_number")),
    BlockingKey(("given_key", "street_key", "house_number")),
    BlockingKey(("birth_date", "postcode")),
    # a typo in one field: the email (one half survives), the family or the given name
    BlockingKey(("email_head",)),
    BlockingKey(("email_tail",)),
)

# EM training sessions, tried in order until every comparison has been estimated once.
TRAINING_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("email_key",),
    ("given_key", "family_key", "birth_year"),
    ("national_id",),
    ("birth_date",),
    ("phone",),
    ("postcode", "street_key", "house_number"),
)
# Which standardised columns each comparison reads (a session blocked on them cannot train it).
COMPARISON_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("given_key", "family_key"),
    "birth": ("birth_date", "birth_year"),
    "email": ("email_key",),
    "phone": ("phone", "phone_tail"),
    "address": ("postcode", "street_key", "house_number"),
    "national_id": ("national_id",),
}
# Rules sure enough to estimate how likely two random records are the same person.
DETERMINISTIC_RULES: tuple[tuple[str, ...], ...] = (
    ("given_key", "family_key", "birth_date"),
    ("email_key", "given_key"),
    ("national_id", "family_key"),
)
DETERMINISTIC_RECALL = 0.6


@dataclass(frozen=True)
class Thresholds:
    """Match probability at or above ``merge`` joins records; ``review`` up to it asks a person."""

    merge: float = 0.95
    review: float = 0.5


def _comparisons() -> list[Any]:
    null = cll.NullLevel
    exact = cll.ExactMatchLevel
    jw = cll.JaroWinklerLevel
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            null("given_key"),
            cll.And(exact("given_key"), exact("family_key")),
            cll.ColumnsReversedLevel("given_key", "family_key", symmetrical=True),
            cll.And(exact("given_key"), null("family_key")),
            cll.And(exact("family_key"), jw("given_key", 0.88)),
            cll.And(exact("given_key"), jw("family_key", 0.88)),
            cll.And(jw("given_key", 0.8), jw("family_key", 0.8)),
            cll.ElseLevel(),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            null("birth_year"),
            exact("birth_date"),
            cll.DamerauLevenshteinLevel("birth_date", 1),
            cll.And(exact("birth_year"), null("birth_date")),
            cll.ElseLevel(),
        ],
    )
    # a typo in the letters of an address is the same mailbox; other digits are usually
    # another person (anna1@..., anna2@...), so a near miss counts only with equal digits
    same_digits = cll.CustomLevel(
        "regexp_replace(email_key_l, '[^0-9]', '', 'g') = "
        "regexp_replace(email_key_r, '[^0-9]', '', 'g')",
        label_for_charts="near miss, same digits",
        base_dialect_str="duckdb",
    )
    email = cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            null("email_key"),
            exact("email_key"),
            cll.And(cll.DamerauLevenshteinLevel("email_key", 2), same_digits),
            cll.ElseLevel(),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[null("phone"), exact("phone"), exact("phone_tail"), cll.ElseLevel()],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            null("postcode"),
            cll.And(exact("street_key"), exact("house_number"), exact("postcode")),
            cll.And(exact("street_key"), exact("house_number")),
            cll.And(exact("postcode"), jw("street_key", 0.88)),
            exact("postcode"),
            cll.ElseLevel(),
        ],
    )
    national_id = cl.CustomComparison(
        output_column_name="national_id",
        comparison_levels=[
            null("national_id"),
            exact("national_id"),
            cll.DamerauLevenshteinLevel("national_id", 2),
            cll.ElseLevel(),
        ],
    )
    return [name, birth, email, phone, address, national_id]


def person_settings() -> SettingsCreator:
    """Splink settings of the person model (untrained)."""
    return SettingsCreator(
        unique_id_column_name=UNIQUE_ID,
        link_type="dedupe_only",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=[k.splink_rule() for k in BLOCKING_KEYS],  # type: ignore[misc]
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
