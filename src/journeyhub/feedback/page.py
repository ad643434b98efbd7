"""The hosted answer page: a plain HTML form (no JavaScript), mobile-friendly, German/English."""

from __future__ import annotations

from html import escape
from typing import Any

from journeyhub.feedback.model import SCALES, Question, Survey

STYLE = """
body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;color:#222}
h1{font-size:1.4rem}fieldset{border:0;margin:0 0 1.4rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem}.scale{display:flex;flex-wrap:wrap;gap:.3rem}
.scale label{flex:1 0 2.4rem;text-align:center;border:1px solid #bbb;border-radius:.4rem;
padding:.5rem 0}.ends{display:flex;justify-content:space-between;font-size:.8rem;color:#666}
textarea{width:100%;min-height:6rem}button{font-size:1.1rem;padding:.6rem 1.4rem}
.error{color:#b00020;font-weight:600}label.opt{display:block;padding:.3rem 0}
"""
TEXTS = {
    "send": {"de": "Absenden", "en": "Send"},
    "required": {"de": "Pflichtfrage", "en": "required"},
    "yes": {"de": "Ja", "en": "Yes"},
    "no": {"de": "Nein", "en": "No"},
    "problems": {"de": "Bitte prüfen Sie Ihre Angaben:", "en": "Please check your answers:"},
}


def _page(title: str, body: str, lang: str) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def _question(q: Question, lang: str, value: Any, error: str | None) -> str:
    name = escape(q.id)
    legend = escape(q.text.get(lang)) + (
        f" <small>({TEXTS['required'][lang]})</small>" if q.required else ""
    )
    parts = [f'<fieldset id="q-{name}"><legend>{legend}</legend>']
    if error:
        parts.append(f'<p class="error">{escape(error)}</p>')
    if q.type in SCALES:
        low, high = SCALES[q.type]
        parts.append('<div class="scale">')
        for v in range(low, high + 1):
            checked = " checked" if str(value) == str(v) else ""
            parts.append(
                f'<label><input type="radio" name="{name}" value="{v}"{checked}><br>{v}</label>'
            )
        parts.append("</div>")
        if q.low_label or q.high_label:
            lo = escape(q.low_label.get(lang)) if q.low_label else ""
            hi = escape(q.high_label.get(lang)) if q.high_label else ""
            parts.append(f'<div class="ends"><span>{lo}</span><span>{hi}</span></div>')
    elif q.type == "yes_no":
        for answer in ("yes", "no"):
            checked = " checked" if value == answer else ""
            parts.append(
                f'<label class="opt"><input type="radio" name="{name}" value="{answer}"'
                f"{checked}> {TEXTS[answer][lang]}</label>"
            )
    elif q.type in ("single_choice", "multiple_choice"):
        kind = "radio" if q.type == "single_choice" else "checkbox"
        chosen = value if isinstance(value, list) else [value]
        for o in q.options:
            checked = " checked" if o.id in chosen else ""
            parts.append(
                f'<label class="opt"><input type="{kind}" name="{name}" value="{escape(o.id)}"'
                f"{checked}> {escape(o.text.get(lang))}</label>"
            )
    else:
        parts.append(f'<textarea name="{name}">{escape(str(value or ""))}</textarea>')
    parts.append("</fieldset>")
    return "".join(parts)


def form_page(
    survey: Survey,
    lang: str,
    action: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    """The survey as a form posting to ``action`` (values and errors after a failed submit)."""
    values, errors = values or {}, errors or {}
    body = [f"<h1>{escape(survey.name.get(lang))}</h1>"]
    if survey.intro:
        body.append(f"<p>{escape(survey.intro.get(lang))}</p>")
    if errors:
        body.append(f'<p class="error" role="alert">{TEXTS["problems"][lang]}</p>')
    body.append(f'<form method="post" action="{escape(action)}">')
    body += [_question(q, lang, values.get(q.id), errors.get(q.id)) for q in survey.questions]
    body.append(f'<button type="submit">{TEXTS["send"][lang]}</button></form>')
    return _page(survey.name.get(lang), "".join(body), lang)


def message_page(title: str, message: str, lang: str) -> str:
    """A page with one message (thank you, already answered, expired)."""
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>", lang)
