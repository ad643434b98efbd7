"""The recall breakdown says what each stray record shares with the rest of its person."""

from __future__ import annotations

from typing import Any

from benchmarks.missed_evidence import (
    CLASSES,
    FIRST_NAME_AT_MOST,
    MAILBOX_SPELLS_NAME,
    SAME_EMAIL,
    SHARED_MAILBOX,
    _evidence,
    missed_by_evidence,
    read_truth,
)

from tests.identity.conftest import golden_of

FIELDS = ("uid", "golden_id", "given_name", "family_name", "given_key", "family_key",
          "email_key", "email_head", "email_tail", "phone", "postcode", "birth_year")  # fmt: skip


def record(**values: Any) -> dict[str, Any]:
    return {field: values.get(field) for field in FIELDS}


LARS_AT_THE_COUNTER = record(
    uid="pos/L1", given_name="Lars", family_name="Kirchlechner", given_key="lars",
    family_key="kirchlechner", postcode="79116", birth_year=1961,
)  # fmt: skip


def test_a_newsletter_mailbox_that_spells_the_name_is_told_apart_from_a_bare_first_name():
    spelled = record(uid="newsletter/N1", given_key="lars", email_key="lkirchlechner54@web.de")
    bare = record(uid="newsletter/N2", given_key="lars", email_key="lars54@web.de")
    assert _evidence(spelled, [LARS_AT_THE_COUNTER], set()) == MAILBOX_SPELLS_NAME
    assert _evidence(bare, [LARS_AT_THE_COUNTER], set()) == FIRST_NAME_AT_MOST


def test_a_shared_mailbox_is_not_counted_as_a_personal_email():
    crm = record(uid="crm/K1", given_key="malte", family_key="rosenhammer",
                 email_key="frosenhammer215@gmx.de")  # fmt: skip
    sign_up = record(uid="newsletter/N3", email_key="frosenhammer215@gmx.de")
    assert _evidence(sign_up, [crm], others=set()) == SAME_EMAIL
    # the partner's records, in a golden record of their own, hold the mailbox too
    assert _evidence(sign_up, [crm], others={"G4"}) == SHARED_MAILBOX


def test_the_classes_add_up_to_the_pairs_missed_on_the_demo(resolved_hub, demo_dir):
    truth = read_truth(demo_dir)
    found = {u: g for u, g in golden_of(resolved_hub).items() if u in truth}
    report = missed_by_evidence(resolved_hub.db.cursor(), truth)
    classes = report["classes"]
    assert set(classes) <= set(CLASSES)
    assert (
        sum(c["missed_pairs"] for c in classes.values()) == report["missed_pairs_to_main_cluster"]
    )
    people: dict[str, list[str]] = {}
    for uid in found:
        people.setdefault(truth[uid], []).append(uid)
    missed = sum(
        found[a] != found[b] for uids in people.values()
        for i, a in enumerate(uids) for b in uids[i + 1 :]
    )  # fmt: skip
    assert report["true_pairs"] == sum(len(u) * (len(u) - 1) // 2 for u in people.values())
    # pairs between two stray clusters of one person are not counted against the main one
    assert 0 < report["missed_pairs_to_main_cluster"] <= missed
