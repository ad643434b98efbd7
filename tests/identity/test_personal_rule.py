"""A shared email links its holders only when no two of them name different people.

Batch resolution asks this of the whole table (``deterministic_pairs_sql``); a single new
record asks it of the holders it found as candidates (``names_different_people``, the same
condition evaluated in Python). The two must agree, or a record would land elsewhere in real
time than in the next batch run.
"""

from __future__ import annotations

from itertools import combinations

import pytest

from journeyhub.identity.matching.evaluate import pair_values
from journeyhub.identity.matching.rules import (
    CONFLICT_COLUMNS,
    deterministic_pairs_sql,
    names_different_people,
)
from journeyhub.store import Database

HOUSEHOLDS = {
    "one person, nickname and typo": [("anna", "mueller", None), ("anna", "mueller", "1980-01-02"),
                                      ("anne", "mueller", None)],
    "a couple sharing the mailbox": [("anna", "mueller", None), ("peter", "mueller", None)],
    "swapped first and last name": [("anna", "mueller", None), ("mueller", "anna", None)],
    "only the family name, in the given-name field": [("melanie", "lustberger", None),
                                                      ("lustberger", None, None)],
    "twins told apart by nothing but the name": [("lena", "berg", "1990-05-05"),
                                                 ("lara", "berg", "1990-05-06")],
    "the same birth date overrules the name": [("hans", "roth", "1970-03-03"),
                                               ("johannes", "roth", "1970-03-03")],
    "no given name says nothing": [("anna", "mueller", None), (None, "mueller", None),
                                   (None, None, None)],
}  # fmt: skip


def _store(holders: list[tuple[str | None, str | None, str | None]]) -> Database:
    db = Database(":memory:")
    with db.transaction() as cur:
        for i, (given, family, born) in enumerate(holders):
            cur.execute(
                "INSERT INTO std_records (uid, source, record_id, kind, content_hash, trust, "
                "changes, given_key, family_key, birth_date, email_key) "
                "VALUES (?, 'crm', ?, 'person', '', 1, 0, ?, ?, ?, 'familie@example.de')",
                [f"crm/{i}", str(i), given, family, born],
            )
    return db


@pytest.mark.parametrize("case", HOUSEHOLDS)
def test_real_time_and_batch_agree_whether_a_shared_email_is_personal(case):
    holders = HOUSEHOLDS[case]
    db = _store(holders)
    batch = db.query(deterministic_pairs_sql("email_key"))
    conflicts = _conflicts(holders)
    all_pairs = len(holders) * (len(holders) - 1) // 2
    assert len(batch) == (0 if conflicts else all_pairs), case


def test_a_couple_sharing_a_mailbox_is_a_conflict_and_one_person_is_not():
    assert _conflicts(HOUSEHOLDS["a couple sharing the mailbox"]) == 1
    assert _conflicts(HOUSEHOLDS["one person, nickname and typo"]) == 0
    # a newsletter sign-up with "Lustberger" as its only name is Melanie Lustberger's
    assert _conflicts(HOUSEHOLDS["only the family name, in the given-name field"]) == 0
    assert _conflicts([("melanie", "lustberger", None), ("peter", None, None)]) == 1


def _conflicts(holders: list[tuple[str | None, str | None, str | None]]) -> int:
    """Conflicting pairs among holders (given, family, birth date; no national id)."""
    people = [dict(zip(CONFLICT_COLUMNS, (*h, None), strict=True)) for h in holders]
    return sum(
        names_different_people(pair_values(a, b, CONFLICT_COLUMNS))
        for a, b in combinations(people, 2)
    )
