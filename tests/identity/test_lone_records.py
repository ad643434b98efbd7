"""A record that matched nothing joins the one golden record holding its email, in real time
and in batch alike: the nameless newsletter sign-up whose mailbox we already know."""

from __future__ import annotations

from journeyhub import Hub

MAILBOX = "luisa.wendelstrahl950@example.org"
FAMILY = "quendelmeyer.familie@example.org"


def _golden(hub: Hub, uid: str) -> str:
    return hub.db.scalar("SELECT golden_id FROM golden_members WHERE uid = ?", [uid])


def _family(hub: Hub) -> tuple[str, str]:
    """Hildegard and Theodor Quendelmeyer, one CRM record each, sharing a mailbox: their
    golden ids."""
    for number, given, born in (("K-FH1", "Hildegard", "04.08.1957"),
                                ("K-FH2", "Theodor", "18.07.1963")):  # fmt: skip
        hub.upsert_record("crm", {"KundenNr": number, "Vorname": given, "Nachname": "Quendelmeyer",
                                  "EMail": FAMILY, "Geburtsdatum": born})  # fmt: skip
    return _golden(hub, "crm/K-FH1"), _golden(hub, "crm/K-FH2")


def test_a_nameless_sign_up_joins_its_owner_whose_records_spell_her_name_two_ways(resolved_hub):
    hub = resolved_hub
    hub.upsert_record(
        "crm",
        {
            "KundenNr": "K-LH1",
            "Vorname": "Luisa",
            "Nachname": "Wendelstrahl",
            "EMail": MAILBOX,
            "PLZ": "34126",
            "Ort": "Kassel",
        },
    )
    hub.upsert_record(
        "webshop",
        {
            "customer_id": "C-LH2",
            "first_name": "Lrisa",
            "last_name": "Wendelstrahl",
            "email": MAILBOX,
            "zip": "34126",
        },
    )
    hub.upsert_record(
        "support", {"contact_id": "S-LH3", "full_name": "Luesa Wendelstrahl", "email": MAILBOX}
    )
    owner = _golden(hub, "crm/K-LH1")
    assert {_golden(hub, u) for u in ("webshop/C-LH2", "support/S-LH3")} == {owner}

    # "Luesa" and "Lrisa" name different people by the household guard, so the mailbox is not
    # "personal"; still only one golden record holds it, and nothing says the sign-up is not her
    signed_up = hub.upsert_record("newsletter", {"subscriber_id": "N-LH4", "email": MAILBOX})
    assert signed_up["golden_id"] == owner and signed_up["status"] == "matched"

    hub.resolve()  # batch resolution puts it in the same place
    assert _golden(hub, "newsletter/N-LH4") == _golden(hub, "crm/K-LH1")


def test_a_family_mailbox_takes_a_sign_up_only_where_its_name_points(resolved_hub):
    hub = resolved_hub
    hildegard, theodor = _family(hub)
    assert hildegard != theodor

    named = hub.upsert_record(
        "newsletter", {"subscriber_id": "N-FH3", "email": FAMILY, "first_name": "Theodor"}
    )
    nameless = hub.upsert_record("newsletter", {"subscriber_id": "N-FH4", "email": FAMILY})
    assert named["golden_id"] == theodor
    assert nameless["status"] == "created"  # two people hold the mailbox: whose is it?

    hub.resolve()
    assert _golden(hub, "newsletter/N-FH3") == _golden(hub, "crm/K-FH2")
    assert _golden(hub, "newsletter/N-FH4") not in {
        _golden(hub, "crm/K-FH1"),
        _golden(hub, "crm/K-FH2"),
    }


def test_two_lone_records_join_only_when_each_is_the_others_one_place(resolved_hub):
    hub = resolved_hub
    # Hildegard's only record holds the family mailbox; Theodor's records hold it too
    _family(hub)
    # for Hildegard's record a nameless sign-up is the one holder that is not someone else,
    # but the sign-up could as well be Theodor's: no guessing by elimination
    nameless = hub.upsert_record("newsletter", {"subscriber_id": "N-FH4", "email": FAMILY})
    assert nameless["status"] == "created"
    named = hub.upsert_record(
        "newsletter", {"subscriber_id": "N-FH6", "email": FAMILY, "first_name": "Hildegard"}
    )
    assert named["golden_id"] == _golden(hub, "crm/K-FH1")

    hub.resolve()
    assert _golden(hub, "newsletter/N-FH6") == _golden(hub, "crm/K-FH1")
    assert _golden(hub, "newsletter/N-FH4") not in {
        _golden(hub, "crm/K-FH1"),
        _golden(hub, "crm/K-FH2"),
    }
