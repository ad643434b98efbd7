"""Basic identity stitching: anonymousId <-> userId, alias, and exact email/phone matches."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from journeyhub import Hub
from journeyhub.identity.normalize import normalize_email, normalize_phone


def test_identify_links_anonymous_device_to_user(hub: Hub) -> None:
    hub.ingest(
        [
            {"type": "page", "anonymousId": "laptop", "name": "Home"},
            {"type": "identify", "anonymousId": "laptop", "userId": "u1"},
        ]
    )
    assert hub.timeline("u1").profile_id == hub.timeline("laptop").profile_id is not None


def test_same_email_on_two_devices_joins_them(hub: Hub) -> None:
    hub.ingest(
        [
            {"type": "identify", "anonymousId": "phone", "traits": {"email": "Anna@Example.de "}},
            {"type": "identify", "userId": "u1", "traits": {"email": "anna@example.de"}},
        ]
    )
    profile = hub.timeline("anna@example.de").profile_id
    assert hub.timeline("phone").profile_id == profile
    assert hub.timeline("u1").profile_id == profile


def test_phone_numbers_match_in_any_format(hub: Hub) -> None:
    hub.ingest(
        [
            {"type": "identify", "userId": "u1", "traits": {"phone": "0171 1234567"}},
            {"type": "identify", "userId": "u2", "traits": {"phone": "+49 (171) 123-4567"}},
        ]
    )
    assert hub.timeline("u1").profile_id == hub.timeline("u2").profile_id
    assert hub.timeline("+491711234567").profile_id == hub.timeline("u1").profile_id
    assert hub.timeline("0171 / 123 45-67").profile_id == hub.timeline("u1").profile_id


def test_an_unknown_id_with_digits_is_not_read_as_someones_phone(hub: Hub) -> None:
    # libphonenumber reads "C1711234567" as the German number +491711234567
    hub.ingest([{"type": "identify", "userId": "u1", "traits": {"phone": "0171 1234567"}}])
    assert hub.timeline("C1711234567").profile_id is None


def test_alias_links_previous_id(hub: Hub) -> None:
    hub.ingest(
        [
            {"type": "track", "userId": "old-id", "event": "A"},
            {"type": "alias", "userId": "new-id", "previousId": "old-id"},
            {"type": "track", "userId": "new-id", "event": "B"},
        ]
    )
    assert {i["event"] for i in hub.timeline("new-id").items if i["type"] == "track"} == {"A", "B"}


def test_merging_two_profiles_keeps_the_older_id_and_redirects_the_other(hub: Hub) -> None:
    hub.ingest([{"type": "identify", "userId": "u1", "anonymousId": "a1"}])
    hub.ingest([{"type": "identify", "userId": "u2", "anonymousId": "a2"}])
    p1, p2 = hub.timeline("u1").profile_id, hub.timeline("u2").profile_id
    assert p1 != p2
    hub.ingest(
        [
            {"type": "identify", "userId": "u2", "traits": {"email": "x@y.de"}},
            {"type": "identify", "userId": "u1", "traits": {"email": "x@y.de"}},
        ]
    )
    assert hub.timeline("u2").profile_id == min(p1, p2)
    assert hub.timeline(f"profile:{max(p1, p2)}").profile_id == min(p1, p2)
    assert hub.db.query("SELECT from_profile, into_profile FROM profile_merges") == [
        {"from_profile": max(p1, p2), "into_profile": min(p1, p2)}
    ]


def test_different_people_stay_apart(hub: Hub) -> None:
    hub.ingest(
        [
            {"type": "identify", "userId": "u1", "traits": {"email": "a@x.de"}},
            {"type": "identify", "userId": "u2", "traits": {"email": "b@x.de"}},
        ]
    )
    assert hub.timeline("u1").profile_id != hub.timeline("u2").profile_id


@given(st.emails())
def test_email_normalisation_is_idempotent_and_case_insensitive(email: str) -> None:
    once = normalize_email(email)
    assert normalize_email(once) == once
    assert normalize_email(email.upper()) == normalize_email(email.lower())


@given(st.integers(min_value=1_000_000, max_value=9_999_999))
def test_phone_formats_normalise_to_the_same_e164(number: int) -> None:
    digits = str(number)
    forms = [f"0171 {digits}", f"+49 171 {digits}", f"0049-171-{digits}", f"(0171) {digits}"]
    assert {normalize_phone(f) for f in forms} == {f"+49171{digits}"}


def test_not_an_email_or_phone() -> None:
    assert normalize_email("no-at-sign") is None
    assert normalize_phone("call me maybe") is None


@given(
    st.one_of(
        st.emails(),
        st.text(alphabet="+0123456789 -()/.", min_size=1, max_size=20),
        st.from_regex(r"\+49 ?1[5-7][0-9] ?[0-9]{7}", fullmatch=True),
    )
)
def test_sql_and_python_normalisation_agree(value: str) -> None:
    import duckdb

    from journeyhub.identity.normalize import (
        _international,
        email_sql,
        international_phone_sql,
    )

    con = duckdb.connect()
    email, phone = con.execute(
        f"SELECT {email_sql('$v')}, {international_phone_sql('$v')}", {"v": value}
    ).fetchall()[0]
    assert email == normalize_email(value)
    assert phone == _international(value)
