"""Invitation delivery: due invitations become rendered messages in an outbox; a sender sends.

``queue_due`` renders every scheduled invitation whose time has come (email subject and body,
or SMS text, in the customer's language, with a signed link) into ``survey_outbox``;
``deliver`` hands pending messages to a :class:`Sender` — :class:`SmtpSender` for a real mail
server, :class:`FileSender` to write ``.eml`` files — and records what happened. A message
that fails is retried on the next call, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from journeyhub.feedback.links import make_token
from journeyhub.feedback.model import Survey
from journeyhub.feedback.store import get_survey
from journeyhub.store import Database

MAX_ATTEMPTS = 5


class Sender(Protocol):
    """Sends one rendered message; raises on failure."""

    def send(self, message: dict[str, Any]) -> None: ...


def _email(message: dict[str, Any], sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message["recipient"]
    email["Subject"] = message["subject"] or ""
    email["Message-ID"] = f"<{message['message_id']}@journeyhub>"
    email.set_content(message["body"])
    return email


class SmtpSender:
    """Sends email over SMTP (STARTTLS and login when given)."""

    def __init__(
        self,
        host: str = "localhost",
        port: int = 25,
        sender: str = "feedback@journeyhub.local",
        *,
        starttls: bool = False,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.user, self.password = starttls, user, password

    def send(self, message: dict[str, Any]) -> None:
        if message["channel"] != "email":
            raise ValueError(f"SMTP cannot send {message['channel']} messages")
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(_email(message, self.sender))


class FileSender:
    """Writes each message to a folder (``<id>.eml`` or ``<id>.sms.txt``): for review and tests."""

    def __init__(self, folder: Path, sender: str = "feedback@journeyhub.local") -> None:
        self.folder, self.sender = Path(folder), sender
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, message: dict[str, Any]) -> None:
        if message["channel"] == "email":
            path = self.folder / f"{message['message_id']}.eml"
            path.write_bytes(bytes(_email(message, self.sender)))
        else:
            path = self.folder / f"{message['message_id']}.sms.txt"
            path.write_text(f"To: {message['recipient']}\n\n{message['body']}\n")


def _render(db: Database, survey: Survey, row: dict[str, Any], base_url: str) -> dict[str, Any]:
    lang = row["language"] if row["language"] in ("de", "en") else survey.default_language
    link = f"{base_url.rstrip('/')}/s/{make_token(db, row['invitation_id'], row['expires_at'])}"
    expires = row["expires_at"].strftime("%d.%m.%Y" if lang == "de" else "%Y-%m-%d")
    fallback = "Kundin, Kunde" if lang == "de" else "customer"
    fill = {"name": row["name"] or fallback, "link": link, "survey": survey.name.get(lang),
            "expires": expires}  # fmt: skip
    inv = survey.invitation
    body = (inv.email if row["channel"] == "email" else inv.sms).get(lang).format(**fill)
    subject = inv.subject.get(lang).format(**fill) if row["channel"] == "email" else None
    return {"message_id": row["invitation_id"], "invitation_id": row["invitation_id"],
            "channel": row["channel"], "recipient": row["address"], "subject": subject,
            "body": body, "link": link}  # fmt: skip


def queue_due(db: Database, base_url: str, now: datetime | None = None) -> int:
    """Render scheduled invitations that are due (and not expired) into the outbox."""
    now = now or datetime.now(UTC)
    due = db.query(
        "SELECT * FROM survey_invitations WHERE status = 'scheduled' AND due_at <= ? "
        "AND expires_at > ? ORDER BY due_at",
        [now, now],
    )
    surveys: dict[tuple[str, int], Survey] = {}  # read each survey version once
    for row in due:
        key = (row["survey_id"], row["survey_version"])
        if key not in surveys:
            surveys[key] = get_survey(db, *key)[0]
    messages = [
        _render(db, surveys[(row["survey_id"], row["survey_version"])], row, base_url)
        for row in due
    ]
    with db.transaction() as cur:
        for m in messages:
            cur.execute(
                "INSERT INTO survey_outbox VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, NULL, ?, NULL)"
                " ON CONFLICT DO NOTHING",
                [m["message_id"], m["invitation_id"], m["channel"], m["recipient"],
                 m["subject"], m["body"], now],
            )  # fmt: skip
            cur.execute(
                "UPDATE survey_invitations SET status = 'queued' WHERE invitation_id = ?",
                [m["invitation_id"]],
            )
    return len(messages)


def deliver(db: Database, sender: Sender, limit: int = 1000) -> dict[str, int]:
    """Send pending outbox messages; returns how many were sent and failed."""
    pending = db.query(
        "SELECT * FROM survey_outbox WHERE status = 'pending' ORDER BY created_at LIMIT ?", [limit]
    )
    sent = failed = 0
    for message in pending:
        now = datetime.now(UTC)
        try:
            sender.send(message)
        except Exception as exc:
            failed += 1
            give_up = message["attempts"] + 1 >= MAX_ATTEMPTS
            with db.transaction() as cur:
                cur.execute(
                    "UPDATE survey_outbox SET attempts = attempts + 1, last_error = ?, "
                    "status = ? WHERE message_id = ?",
                    [str(exc)[:500], "failed" if give_up else "pending", message["message_id"]],
                )
            continue
        sent += 1
        with db.transaction() as cur:
            cur.execute(
                "UPDATE survey_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ? "
                "WHERE message_id = ?",
                [now, message["message_id"]],
            )
            cur.execute(
                "UPDATE survey_invitations SET status = 'sent', sent_at = ? "
                "WHERE invitation_id = ? AND status = 'queued'",
                [now, message["invitation_id"]],
            )
    return {"sent": sent, "failed": failed}
