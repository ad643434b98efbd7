"""``journeyhub surveys|scores|feedback|consent``: the voice of the customer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import orjson
import typer

from journeyhub.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    console,
    open_hub,
    print_json,
    print_table,
)
from journeyhub.feedback.outbox import FileSender, Sender, SmtpSender
from journeyhub.feedback.sentiment import sentiment
from journeyhub.feedback.store import templates

surveys_app = typer.Typer(
    help="Surveys: apply definitions (YAML or a template), trigger invitations from events, "
    "send them, record answers. Templates: " + ", ".join(templates()) + ".",
    no_args_is_help=True,
)
feedback_app = typer.Typer(
    help="What customers say: trends, Soll-Ist gaps, key drivers, text themes, sentiment.",
    no_args_is_help=True,
)
consent_app = typer.Typer(help="Customers' consent decisions per purpose.", no_args_is_help=True)
SinceOption = Annotated[datetime | None, typer.Option(help="Only answers from this time on.")]
UntilOption = Annotated[datetime | None, typer.Option(help="Only answers before this time.")]
JourneyOption = Annotated[
    str | None, typer.Option("--journey", "-j", help="Journey for touchpoints, phases, personas.")
]
MinSample = Annotated[int, typer.Option(help="Flag groups with fewer answers as too small.")]


@surveys_app.command("apply")
def apply_command(
    file: Annotated[str, typer.Argument(help="Survey YAML file, or a template name.")],
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Validate a survey and apply it (versioned; applying it unchanged changes nothing).

    Example: journeyhub surveys apply post_purchase
    """
    with open_hub(db) as hub:
        result = hub.feedback.apply(file)
    if json:
        print_json(result)
    else:
        state = f"version {result['version']}" + ("" if result["changed"] else " (unchanged)")
        console.print(f"survey {result['survey']}: {state}")


@surveys_app.command("list")
def list_command(json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """Applied surveys with invitations and responses so far."""
    with open_hub(db) as hub:
        rows = hub.feedback.surveys()
    if json:
        print_json(rows)
    else:
        print_table(rows, ["survey", "version", "applied_at", "invited", "responses"])


@surveys_app.command("show")
def show_command(survey_id: str, db: DbOption = DEFAULT_DB) -> None:
    """A survey's definition (JSON)."""
    with open_hub(db) as hub:
        survey, version = hub.feedback.survey(survey_id)
    print_json({"version": version, **survey.model_dump(mode="json")})


@surveys_app.command("trigger")
def trigger_command(json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """Turn events received since the last run into invitations (sampling, consent, address,
    fatigue and quiet hours applied; skipped ones are kept with the reason)."""
    with open_hub(db) as hub:
        result = hub.feedback.trigger()
    if json:
        print_json(result)
    else:
        skipped = ", ".join(f"{k} {v:,}" for k, v in result["skipped"].items()) or "none"
        console.print(
            f"{result['events']:,} events -> {result['candidates']:,} candidates: "
            f"{result['scheduled']:,} scheduled, skipped: {skipped}"
        )


@surveys_app.command("invitations")
def invitations_command(
    status: Annotated[
        str | None, typer.Option(help="scheduled, skipped, queued, sent, answered")
    ] = None,
    limit: int = 20,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Invitations, newest first."""
    with open_hub(db) as hub:
        rows = hub.feedback.invitations(status, limit)
    if json:
        print_json(rows)
    else:
        print_table(rows, ["invitation_id", "survey_id", "case_id", "due_at", "status", "reason"])


def _sender(smtp: str | None, outbox_dir: Path | None, sender: str) -> Sender:
    if smtp:
        host, _, port = smtp.partition(":")
        return SmtpSender(host, int(port or 25), sender)
    if outbox_dir:
        return FileSender(outbox_dir, sender)
    raise ValueError("give --smtp HOST:PORT or --outbox-dir DIR")


@surveys_app.command("send")
def send_command(
    base_url: Annotated[
        str, typer.Option(help="Where the answer pages are served.")
    ] = "http://127.0.0.1:8000",
    smtp: Annotated[str | None, typer.Option(help="SMTP server HOST:PORT.")] = None,
    outbox_dir: Annotated[Path | None, typer.Option(help="Write messages as files here.")] = None,
    sender: Annotated[str, typer.Option(help="From address.")] = "feedback@journeyhub.local",
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Render due invitations (signed one-time links) and send them."""
    with open_hub(db) as hub:
        queued = hub.feedback.queue(base_url)
        result = {"queued": queued, **hub.feedback.deliver(_sender(smtp, outbox_dir, sender))}
    if json:
        print_json(result)
    else:
        console.print(f"queued {queued:,}, sent {result['sent']:,}, failed {result['failed']:,}")


@surveys_app.command("respond")
def respond_command(
    survey_id: str,
    answers: Annotated[str, typer.Option(help="Answers as JSON, e.g. '{\"nps\": 9}'.")],
    user: Annotated[str, typer.Option(help="The customer's user id.")],
    touchpoint: str | None = None,
    language: str | None = None,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record answers collected elsewhere (validated against the survey)."""
    with open_hub(db) as hub:
        result = hub.feedback.respond(
            survey_id,
            orjson.loads(answers),
            {"userId": user},
            touchpoint=touchpoint,
            language=language,
            channel="cli",
        )
    if json:
        print_json(result)
    else:
        console.print(f"response {result['response_id']} recorded")


def scores_command(
    by: Annotated[
        str,
        typer.Option(
            help="touchpoint, phase, channel, persona, segment, survey, language, "
            "period or overall."
        ),
    ] = "touchpoint",
    metric: Annotated[list[str] | None, typer.Option(help="nps, csat, ces (repeatable).")] = None,
    period: Annotated[str, typer.Option(help="With --by period: week, month, ...")] = "month",
    journey: JourneyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    min_sample: MinSample = 30,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """NPS, CSAT and CES per group: value, 95% interval, sample size, small-sample flag.

    Example: journeyhub scores --by touchpoint --json
    """
    with open_hub(db) as hub:
        rows = hub.feedback.scores(
            by,
            metrics=tuple(metric or ("nps", "csat", "ces")),
            period=period,
            journey=journey,
            since=since,
            until=until,
            min_sample=min_sample,
        )
    if json:
        print_json(rows)
        return
    shown = [
        {**r, "value": f"{r['value']:.2f}", "ci": f"{r['ci_low']:.2f} .. {r['ci_high']:.2f}",
         "small_sample": "too small" if r["small_sample"] else ""}
        for r in rows
    ]  # fmt: skip
    print_table(shown, [by, "metric", "n", "value", "ci", "small_sample"], title="Scores")


@feedback_app.command("trend")
def trend_command(
    period: Annotated[str, typer.Option(help="week or month")] = "month",
    metric: Annotated[str, typer.Option(help="nps, csat or ces")] = "nps",
    since: SinceOption = None,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """A score per week or month with its 95% confidence band."""
    with open_hub(db) as hub:
        rows = hub.feedback.scores("period", metrics=(metric,), period=period, since=since)
    if json:
        print_json(rows)
        return
    print_table(
        [
            {**r, "value": f"{r['value']:.1f}", "band": f"{r['ci_low']:.1f} .. {r['ci_high']:.1f}"}
            for r in rows
        ],
        ["period", "n", "value", "band", "small_sample"],
        title=f"{metric.upper()} per {period}",
    )


@feedback_app.command("gaps")
def gaps_command(
    journey: JourneyOption = None, json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """Soll-Ist: each touchpoint's expectations against measured performance (worst first)."""
    with open_hub(db) as hub:
        rows = hub.feedback.soll_ist(journey)
    if json:
        print_json(rows)
        return
    print_table(
        [
            {
                **r,
                "ist": "" if r["ist"] is None else f"{r['ist']:.2f}",
                "gap": "" if r["gap"] is None else f"{r['gap']:+.2f}",
            }
            for r in rows
        ],
        ["touchpoint", "metric", "soll", "ist", "gap", "met", "n"],
        title="Soll-Ist per touchpoint (times in seconds)",
    )


@feedback_app.command("drivers")
def drivers_command(
    journey: JourneyOption = None, json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """Which touchpoint scores explain NPS, and the importance-performance matrix."""
    with open_hub(db) as hub:
        result = hub.feedback.drivers(journey)
    if json:
        print_json(result)
        return
    print_table(
        [
            {
                **r,
                "importance": f"{r['importance']:.2f}",
                "share": f"{r['share']:.0%}",
                "performance": f"{r['performance']:.0f}",
            }
            for r in result["drivers"]
        ],
        ["touchpoint", "n", "importance", "share", "performance", "quadrant"],
        title="Key drivers of NPS",
    )


@feedback_app.command("themes")
def themes_command(
    k: Annotated[int, typer.Option(help="Number of themes.")] = 8,
    survey: Annotated[str | None, typer.Option(help="Only this survey's answers.")] = None,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Themes of the free-text answers: volume, sentiment, NPS of who wrote it, examples."""
    with open_hub(db) as hub:
        result = hub.feedback.themes(k, survey)
    if json:
        print_json(result)
        return
    print_table(
        [
            {
                **t,
                "sentiment": f"{t['sentiment']:+.2f}",
                "nps": "" if t["nps"] is None else f"{t['nps']:.0f}",
                "example": t["examples"][0]["text"],
            }
            for t in result["themes"]
        ],
        ["theme", "volume", "sentiment", "nps", "example"],
        title=f"Themes of {result['comments']:,} comments",
    )


@feedback_app.command("recurring")
def recurring_command(
    metric: str = "nps",
    min_months: Annotated[float, typer.Option(help="Asked again after at least this.")] = 3,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Customers asked again after some months: how their score changed."""
    with open_hub(db) as hub:
        result = hub.feedback.recurring(metric, min_months)
    if json:
        print_json(result)
        return
    console.print(
        f"{result['customers']:,} customers answered {metric} again after {min_months:g}+ "
        f"months; mean change {result['mean_change'] or 0:+.2f}"
    )


@feedback_app.command("sentiment")
def sentiment_command(
    text: str,
    language: Annotated[str | None, typer.Option(help="de or en (detected if not given)")] = None,
    json: JsonOption = False,
) -> None:
    """Sentiment of one text (offline lexicons)."""
    result = sentiment(text, language)
    if json:
        print_json(result)
    else:
        console.print(f"{result['label']} ({result['score']:+.2f}, {result['language']})")


@consent_app.command("set")
def consent_command(
    person: Annotated[str, typer.Argument(help="User id or anonymous id.")],
    purpose: Annotated[str, typer.Argument(help="e.g. feedback")],
    grant: Annotated[bool, typer.Option("--grant/--deny")] = True,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record a consent decision (the newest one counts)."""
    with open_hub(db) as hub:
        hub.set_consent(person, purpose, grant, source="cli")
    console.print(f"{person}: {purpose} {'granted' if grant else 'denied'}")
