"""Surveys: definitions, answer validation, triggers with their rules, links, the answer page."""

from __future__ import annotations

import email
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from journeyhub import Hub
from journeyhub.config import ConfigError
from journeyhub.feedback.answers import AnswerError
from journeyhub.feedback.links import LinkError
from journeyhub.feedback.outbox import FileSender, SmtpSender
from journeyhub.feedback.service import AlreadyAnswered
from journeyhub.feedback.store import templates
from tests.conftest import Api

SURVEY = """
id: delivery_check
name: {de: Lieferung, en: Delivery}
touchpoint: post_purchase
questions:
  - {id: nps, type: nps, required: true, text: {de: "Empfehlen?", en: "Recommend?"}}
  - id: topic
    type: single_choice
    text: {de: Thema, en: Topic}
    options: [{id: speed, text: {de: Tempo, en: Speed}}, {id: price, text: {de: Preis, en: Price}}]
  - {id: comment, type: text, text: {de: "Warum?", en: "Why?"}}
triggers:
  - {event: Order Delivered, delay: 2h}
sampling: {sampling}
fatigue_days: 30
quiet_hours: {start: "21:00", end: "08:00", timezone: Europe/Berlin}
consent: feedback
expires_after: 7d
"""


def apply(hub: Hub, tmp_path: Path, sampling: float = 1.0, extra: str = "") -> None:
    path = tmp_path / "survey.yaml"
    path.write_text(SURVEY.replace("{sampling}", str(sampling)) + extra)
    hub.feedback.apply(path)


def customer(hub: Hub, user: str, *, consent: bool | None = True, locale: str = "de-DE") -> None:
    hub.ingest([{"type": "identify", "userId": user, "messageId": f"id-{user}",
                 "timestamp": "2026-03-01T08:00:00Z", "context": {"locale": locale},
                 "traits": {"email": f"{user}@example.de", "firstName": "Anna",
                            "lastName": "Muster"}}])  # fmt: skip
    if consent is not None:
        hub.set_consent(user, "feedback", consent)


def delivered(hub: Hub, user: str, when: str, n: int = 0) -> None:
    hub.ingest([{"type": "track", "event": "Order Delivered", "userId": user,
                 "messageId": f"del-{user}-{n}", "timestamp": when}])  # fmt: skip


def invitations(hub: Hub) -> list[dict]:
    return hub.db.query("SELECT * FROM survey_invitations ORDER BY person_key, due_at")


def test_every_template_applies_and_bad_files_point_at_the_line(hub: Hub, tmp_path: Path) -> None:
    assert set(templates()) == {"churn", "post_purchase", "post_support", "website_feedback",
                                "win_loss"}  # fmt: skip
    for name in templates():
        assert hub.feedback.apply(name)["version"] == 1
    assert hub.feedback.apply("post_purchase")["changed"] is False
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SURVEY.replace("type: single_choice", "type: dropdown").replace("{sampling}", "1")
    )
    with pytest.raises(
        ConfigError, match=r"bad.yaml: questions.1.type \(line 8\): Input should be"
    ):
        hub.feedback.apply(bad)


def test_answers_are_validated_against_the_definition(hub: Hub, tmp_path: Path) -> None:
    apply(hub, tmp_path)
    with pytest.raises(AnswerError) as err:
        hub.feedback.respond(
            "delivery_check", {"nps": 11, "topic": "colour", "mood": "x"}, {"userId": "u1"}
        )
    problems = {p["question"]: p["message"] for p in err.value.problems}
    assert problems == {
        "mood": "no such question in this survey",
        "nps": "11 is out of range (expected 0 to 10)",
        "topic": "'colour' is not an option (expected one of: speed, price)",
    }
    with pytest.raises(AnswerError, match="nps: an answer is required"):
        hub.feedback.respond("delivery_check", {"comment": "ok"}, {"userId": "u1"})
    with pytest.raises(AnswerError, match="nps: expected a whole number from 0 to 10, got 'nine'"):
        hub.feedback.respond("delivery_check", {"nps": "nine"}, {"userId": "u1"})


def test_a_response_is_an_event_on_the_timeline_and_retries_do_not_duplicate(
    hub: Hub, tmp_path: Path
) -> None:
    apply(hub, tmp_path)
    first = hub.feedback.respond(
        "delivery_check", {"nps": "9", "comment": " Schnell! "}, {"userId": "u1"},
        message_id="r-1",
    )  # fmt: skip
    again = hub.feedback.respond("delivery_check", {"nps": 9}, {"userId": "u1"}, message_id="r-1")
    assert first["answers"] == {"nps": 9, "comment": "Schnell!"} and again["duplicate"]
    timeline = hub.timeline("u1").items
    assert [e["event"] for e in timeline] == ["Survey Answered"]
    assert timeline[0]["properties"]["survey_id"] == "delivery_check"
    assert timeline[0]["properties"]["answers"] == {"nps": 9, "comment": "Schnell!"}
    assert hub.feedback.scores("survey", min_sample=1)[0]["n"] == 1


def test_trigger_waits_the_delay_and_the_quiet_hours(hub: Hub, tmp_path: Path) -> None:
    apply(hub, tmp_path)
    customer(hub, "day")
    customer(hub, "night")
    delivered(hub, "day", "2026-03-02T09:00:00Z")  # +2h = 11:00 UTC, 12:00 in Berlin
    delivered(hub, "night", "2026-03-02T19:30:00Z")  # +2h = 22:30 Berlin: quiet until 08:00
    result = hub.feedback.trigger()
    assert result["scheduled"] == 2
    due = {r["person_key"]: r["due_at"] for r in invitations(hub)}
    assert due["day"] == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert due["night"] == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert hub.feedback.trigger()["candidates"] == 0  # each event triggers once


def test_consent_fatigue_and_address_rules(hub: Hub, tmp_path: Path) -> None:
    apply(hub, tmp_path)
    customer(hub, "ok")
    customer(hub, "no-consent", consent=None)
    customer(hub, "withdrawn")
    hub.set_consent("withdrawn", "feedback", False)  # the newest decision counts
    hub.set_consent("no-email", "feedback", True)
    for user in ("ok", "no-consent", "withdrawn", "no-email"):
        delivered(hub, user, "2026-03-02T09:00:00Z")
    delivered(hub, "ok", "2026-03-20T09:00:00Z", n=1)  # 18 days later: within 30 days
    delivered(hub, "ok", "2026-04-10T09:00:00Z", n=2)  # 39 days after the first: fine
    hub.feedback.trigger()
    found = [(r["person_key"], r["status"], r["reason"]) for r in invitations(hub)]
    assert found == [
        ("no-consent", "skipped", "consent"),
        ("no-email", "skipped", "no_address"),
        ("ok", "scheduled", None),
        ("ok", "skipped", "fatigue"),
        ("ok", "scheduled", None),
        ("withdrawn", "skipped", "consent"),
    ]


def test_sampling_is_a_stable_share(hub: Hub, tmp_path: Path) -> None:
    apply(hub, tmp_path, sampling=0.3)
    hub.ingest([{"type": "track", "event": "Order Delivered", "userId": f"c{i}",
                 "messageId": f"d{i}", "timestamp": "2026-03-02T09:00:00Z"}
                for i in range(2000)])  # fmt: skip
    hub.feedback.trigger()
    reasons = hub.db.query(
        "SELECT reason, count(*) AS n FROM survey_invitations GROUP BY reason ORDER BY reason"
    )
    counts = {r["reason"]: r["n"] for r in reasons}
    # in the sample (30%) they fail on consent; outside it on sampling
    assert counts["consent"] + counts["sampling"] == 2000
    assert 0.25 < counts["consent"] / 2000 < 0.35


def test_trait_change_and_follow_up_triggers(hub: Hub, tmp_path: Path) -> None:
    apply(hub, tmp_path)
    hub.feedback.apply_text(
        SURVEY.replace("delivery_check", "downgrade").replace("{sampling}", "1")
        .replace("{event: Order Delivered, delay: 2h}", "{trait: {trait: plan, to: basic}}")
    )  # fmt: skip
    hub.feedback.apply_text(
        SURVEY.replace("delivery_check", "detractor").replace("{sampling}", "1").replace(
            "{event: Order Delivered, delay: 2h}",
            "{answer: {survey: delivery_check, question: nps, max: 6}, delay: 1d}",
        ).replace("fatigue_days: 30", "fatigue_days: 0")
    )  # fmt: skip
    customer(hub, "u1")
    hub.ingest([
        {"type": "identify", "userId": "u1", "messageId": f"p{i}", "traits": {"plan": plan},
         "timestamp": f"2026-03-0{i + 2}T10:00:00Z"}
        for i, plan in enumerate(["premium", "premium", "basic"])
    ])  # fmt: skip
    hub.feedback.respond("delivery_check", {"nps": 3}, {"userId": "u1"}, message_id="low",
                         timestamp=datetime(2026, 3, 10, 10, tzinfo=UTC))  # fmt: skip
    hub.feedback.trigger()
    found = {(r["survey_id"], r["trigger_id"], r["status"]) for r in invitations(hub)}
    assert ("downgrade", "p2", "scheduled") in found
    assert ("detractor", "low", "scheduled") in found
    assert not any(s == "downgrade" and t in ("p0", "p1") for s, t, _ in found)


def answerable(hub: Hub, tmp_path: Path) -> dict:
    apply(hub, tmp_path)
    customer(hub, "u1", locale="en-GB")
    recently = datetime.now(UTC) - timedelta(hours=1)  # links must be valid now for the page
    delivered(hub, "u1", recently.isoformat())
    hub.feedback.trigger()
    return invitations(hub)[0]


def test_one_time_link_expires_and_cannot_be_answered_twice(hub: Hub, tmp_path: Path) -> None:
    inv = answerable(hub, tmp_path)
    token = hub.feedback.link_token(inv["invitation_id"])
    after_expiry = inv["expires_at"] + timedelta(seconds=1)
    with pytest.raises(LinkError, match="expired"):
        hub.feedback.open_link(token, now=after_expiry)
    with pytest.raises(LinkError, match="bad signature"):
        hub.feedback.open_link(token[:-2] + "xx")
    hub.feedback.answer_link(token, {"nps": 10})
    with pytest.raises(AlreadyAnswered):
        hub.feedback.answer_link(token, {"nps": 0})
    assert hub.db.scalar("SELECT status FROM survey_invitations") == "answered"
    assert [r["score"] for r in hub.db.query("SELECT score FROM survey_responses")] == []  # lazy
    assert hub.feedback.scores("overall", min_sample=1)[0]["n"] == 1


def test_the_answer_page_works_without_javascript(api: Api, tmp_path: Path) -> None:
    inv = answerable(api.hub, tmp_path)
    token = api.hub.feedback.link_token(inv["invitation_id"])
    page = api.client.get(f"/s/{token}")
    assert page.status_code == 200 and 'lang="en"' in page.text  # the customer's locale
    assert '<form method="post"' in page.text and "<script" not in page.text
    form = {"content": "topic=speed&comment=Quick", "headers": {
        "content-type": "application/x-www-form-urlencoded"}}  # fmt: skip
    missing = api.client.post(f"/s/{token}", **form)
    assert missing.status_code == 422 and "an answer is required" in missing.text
    assert 'value="speed" checked' in missing.text  # what was given is kept
    form["content"] = "nps=9&topic=speed&comment=Quick"
    assert api.client.post(f"/s/{token}", **form).status_code == 200
    again = api.client.post(f"/s/{token}", **form)
    assert again.status_code == 409 and "already been answered" in again.text
    assert api.client.get("/s/forged.123.abc").status_code == 404


def test_responses_endpoint_validates_and_is_idempotent(api: Api, tmp_path: Path) -> None:
    apply(api.hub, tmp_path)
    bad = api.post("/v1/surveys/delivery_check/responses", {"userId": "u1", "answers": {"nps": 12}})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["problems"] == [
        {"question": "nps", "message": "12 is out of range (expected 0 to 10)"}
    ]
    body = {"userId": "u1", "answers": {"nps": 8}, "messageId": "ext-1"}
    assert api.post("/v1/surveys/delivery_check/responses", body).status_code == 201
    assert api.post("/v1/surveys/delivery_check/responses", body).json()["duplicate"] is True
    assert api.post("/v1/surveys/nope/responses", body).status_code == 404
    scores = api.client.get("/v1/scores?by=survey&min_sample=1", headers=api.headers).json()
    assert scores[0]["n"] == 1 and scores[0]["value"] == 0.0  # one passive: NPS 0


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


def test_invitations_go_out_by_smtp_with_a_working_link(hub: Hub, tmp_path: Path) -> None:
    inv = answerable(hub, tmp_path)
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        now = inv["due_at"] + timedelta(minutes=1)
        assert hub.feedback.queue("https://feedback.example", now=now) == 1
        result = hub.feedback.deliver(SmtpSender("127.0.0.1", port))
    finally:
        server.stop()
    assert result == {"sent": 1, "failed": 0}
    mail = email.message_from_bytes(inbox.messages[0])
    body = mail.get_payload(decode=True).decode()
    assert mail["To"] == "u1@example.de" and "Hello Anna Muster" in body  # English customer
    token = body.split("https://feedback.example/s/")[1].split()[0]
    _, invitation = hub.feedback.open_link(token, now=now)
    assert invitation["invitation_id"] == inv["invitation_id"]
    assert hub.db.scalar("SELECT status FROM survey_invitations") == "sent"
    # a sender that fails leaves the message pending, with the error
    hub.db.cursor().execute("UPDATE survey_outbox SET status = 'pending'")
    failing = hub.feedback.deliver(SmtpSender("127.0.0.1", 1))
    assert failing == {"sent": 0, "failed": 1}
    assert hub.db.scalar("SELECT last_error FROM survey_outbox") is not None
    assert hub.feedback.deliver(FileSender(tmp_path / "out"))["sent"] == 1
    assert len(list((tmp_path / "out").glob("*.eml"))) == 1
