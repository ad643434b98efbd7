"""The journey map: phases x touchpoints, each with volume, score, friction and the gap between
what was promised (Soll) and what customers report (Ist).

:func:`map_data` computes the numbers (plain JSON); :func:`render_map` draws them as a
standalone HTML page (no external assets) or, with matplotlib, as PNG or SVG.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from journeyhub.analytics.logs import json_number, json_text, lit, nps_sql
from journeyhub.analytics.service import Analytics


def _scores(analytics: Analytics, journey_name: str | None) -> dict[str, dict[str, Any]]:
    journey = analytics.journey(journey_name)
    s = journey.surveys
    labels = {label: tp.id for tp in journey.touchpoints for label in tp.surveys}
    if not labels:
        return {}
    when = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in labels.items())
    score = json_number("e.properties", s.score_property)
    rows = analytics.engine.rows(
        f"""SELECT CASE {json_text("e.properties", s.touchpoint_property)} {when} END AS touchpoint,
                   {json_text("e.properties", s.kind_property)} AS kind,
                   count(*) AS n, avg({score}) AS mean, {nps_sql(score)} AS nps
            FROM journey_log l JOIN events e ON e.message_id = l.message_id
            WHERE l.activity = {lit(s.event)}
            GROUP BY 1, 2 HAVING touchpoint IS NOT NULL"""
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        value = r["nps"] if r["kind"] == "nps" else r["mean"]
        out.setdefault(r["touchpoint"], {})[r["kind"]] = {"value": value, "n": r["n"]}
    return out


def map_data(analytics: Analytics, journey: str | None = None) -> dict[str, Any]:
    """Per phase, its touchpoints with customers, events, scores, friction and Soll-Ist gaps."""
    spec = analytics.spec("touchpoint", journey)
    model = spec.journey
    assert model is not None
    volume = {
        r["touchpoint"]: r
        for r in analytics.engine.rows(
            f"""SELECT activity AS touchpoint, count(*) AS events,
                       count(DISTINCT case_id) AS customers FROM ({spec.sql()}) GROUP BY 1"""
        )
    }
    friction: dict[str, int] = {}
    for f in analytics.friction(model.name):
        friction[f["touchpoint"]] = friction.get(f["touchpoint"], 0) + f["customers"]
    scores = _scores(analytics, model.name)
    phases = []
    for phase in model.phases:
        cards = []
        for tp in (t for t in model.touchpoints if t.phase == phase.id):
            measured = scores.get(tp.id, {})
            gaps = {}
            for kind in ("csat", "ces", "nps"):
                promised = getattr(tp.expectations, kind)
                if promised is not None and kind in measured:
                    gap = measured[kind]["value"] - promised
                    gaps[kind] = -gap if kind == "ces" else gap  # positive = better than promised
            cards.append(
                {
                    "id": tp.id,
                    "name": tp.name.model_dump(),
                    "channel": tp.channel,
                    "team": tp.team,
                    "milestone": tp.id in model.milestones,
                    "customers": volume.get(tp.id, {}).get("customers", 0),
                    "events": volume.get(tp.id, {}).get("events", 0),
                    "scores": measured,
                    "expectations": tp.expectations.model_dump(mode="json", exclude_none=True),
                    "gap": gaps,
                    "friction_customers": friction.get(tp.id, 0),
                }
            )
        phases.append({"id": phase.id, "name": phase.name.model_dump(),
                       "opportunities": phase.opportunities, "touchpoints": cards})  # fmt: skip
    return {"journey": model.name, "phases": phases}


def _colour(card: dict[str, Any]) -> str:
    gaps = list(card["gap"].values())
    if gaps and min(gaps) < 0:
        return "#f8d7da"  # below promise
    if gaps:
        return "#d4edda"  # at or above promise
    return "#f1f3f5"


def _score_line(card: dict[str, Any]) -> str:
    return " · ".join(
        f"{k.upper()} {v['value']:.1f} (n={v['n']})" for k, v in sorted(card["scores"].items())
    )


def to_html(data: dict[str, Any], lang: str = "en") -> str:
    """A standalone HTML page of the map (inline CSS, no scripts, no external assets)."""
    columns = []
    for phase in data["phases"]:
        cards = []
        for c in phase["touchpoints"]:
            gap = ", ".join(f"{k}: {v:+.1f}" for k, v in c["gap"].items()) or "–"
            cards.append(
                f"""<div class="tp" style="background:{_colour(c)}">
  <b>{html.escape(c["name"][lang])}</b>{" ★" if c["milestone"] else ""}
  <div class="m">{c["customers"]:,} customers · {c["events"]:,} events</div>
  <div class="m">{html.escape(_score_line(c)) or "no scores"}</div>
  <div class="m">Soll-Ist: {html.escape(gap)} · friction: {c["friction_customers"]:,}</div>
</div>"""
            )
        ideas = "".join(f"<li>{html.escape(o)}</li>" for o in phase["opportunities"])
        columns.append(
            f"""<section><h2>{html.escape(phase["name"][lang])}</h2>{"".join(cards)}
<ul class="o">{ideas}</ul></section>"""
        )
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Journey map: {html.escape(data["journey"])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1rem}}main{{display:grid;
grid-template-columns:repeat({len(data["phases"])},minmax(12rem,1fr));gap:.75rem}}
h2{{font-size:1rem;border-bottom:3px solid #345;padding-bottom:.25rem}}
.tp{{border-radius:.4rem;padding:.5rem;margin-bottom:.5rem;font-size:.85rem}}
.m{{color:#333;font-size:.75rem;margin-top:.2rem}}.o{{font-size:.75rem;color:#555}}</style>
</head><body><h1>Journey map: {html.escape(data["journey"])}</h1>
<p>★ milestone · green: at or above the promised score · red: below it</p>
<main>{"".join(columns)}</main></body></html>"""


def to_image(data: dict[str, Any], out: Path, lang: str = "en") -> None:
    """PNG or SVG (by ``out``'s suffix) of the map, drawn with matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    phases = data["phases"]
    rows = max(len(p["touchpoints"]) for p in phases) or 1
    fig, ax = plt.subplots(figsize=(3.2 * len(phases), 1.1 * rows + 1))
    ax.set_xlim(0, len(phases))
    ax.set_ylim(-rows - 0.2, 0.8)
    ax.axis("off")
    for x, phase in enumerate(phases):
        ax.text(x + 0.5, 0.45, phase["name"][lang], ha="center", fontsize=12, weight="bold")
        for y, c in enumerate(phase["touchpoints"], start=1):
            box = FancyBboxPatch(
                (x + 0.05, -y + 0.05),
                0.9,
                0.85,
                boxstyle="round,pad=0.01",
                fc=_colour(c),
                ec="#999",
            )
            ax.add_patch(box)
            star = " *" if c["milestone"] else ""
            ax.text(x + 0.1, -y + 0.7, c["name"][lang] + star, fontsize=8.5, weight="bold")
            ax.text(x + 0.1, -y + 0.48, f"{c['customers']:,} customers", fontsize=7)
            ax.text(x + 0.1, -y + 0.3, _score_line(c)[:40], fontsize=7)
            ax.text(x + 0.1, -y + 0.12, f"friction {c['friction_customers']:,}", fontsize=7)
    fig.suptitle(f"Journey map: {data['journey']}")
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)


def render_map(
    analytics: Analytics, out: str | Path, *, journey: str | None = None, lang: str = "en"
) -> Path:
    """Write the map to ``out``: ``.html``, ``.png`` or ``.svg``."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".png", ".svg"):
        raise ValueError(f"{path}: the map is written as .html, .png or .svg")
    if lang not in ("de", "en"):
        raise ValueError(f"lang must be de or en, got {lang!r}")
    data = map_data(analytics, journey)
    if suffix == ".html":
        path.write_text(to_html(data, lang), encoding="utf-8")
    else:
        to_image(data, path, lang)
    return path
