"""Answers checked against the survey definition, with errors that name the question."""

from __future__ import annotations

from typing import Any

from journeyhub.feedback.model import SCALES, Question, Survey

MAX_TEXT = 5000


class AnswerError(ValueError):
    """Answers that do not fit the survey; ``problems`` lists ``{"question", "message"}``."""

    def __init__(self, survey: str, problems: list[dict[str, str]]) -> None:
        self.problems = problems
        text = "; ".join(f"{p['question']}: {p['message']}" for p in problems)
        super().__init__(f"survey {survey!r}: {text}")


def _number(question: Question, value: Any) -> int:
    low, high = SCALES[question.type]
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())  # form posts send text
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"expected a whole number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{value} is out of range (expected {low} to {high})")
    return int(value)


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "ja", "true", "1"):
        return True
    if isinstance(value, str) and value.lower() in ("no", "nein", "false", "0"):
        return False
    raise ValueError(f"expected yes or no, got {value!r}")


def _choice(question: Question, value: Any) -> str | list[str]:
    allowed = [o.id for o in question.options]
    values = value if isinstance(value, list) else [value]
    if question.type == "single_choice" and len(values) != 1:
        raise ValueError("expected exactly one option")
    for v in values:
        if v not in allowed:
            raise ValueError(f"{v!r} is not an option (expected one of: {', '.join(allowed)})")
    return values[0] if question.type == "single_choice" else list(dict.fromkeys(values))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"text is {len(value)} characters long (at most {MAX_TEXT})")
    return value.strip()


def validate_answers(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers, typed (numbers, booleans, option ids, trimmed text); empty answers are left
    out. Raises :class:`AnswerError` listing every problem at once."""
    if not isinstance(answers, dict):
        raise AnswerError(survey.id, [{"question": "(answers)", "message": "expected an object"}])
    problems: list[dict[str, str]] = []
    clean: dict[str, Any] = {}
    known = {q.id for q in survey.questions}
    for key in answers:
        if key not in known:
            problems.append({"question": key, "message": "no such question in this survey"})
    for q in survey.questions:
        value = answers.get(q.id)
        if value is None or value == "" or value == []:
            if q.required:
                problems.append({"question": q.id, "message": "an answer is required"})
            continue
        try:
            if q.type in SCALES:
                clean[q.id] = _number(q, value)
            elif q.type == "yes_no":
                clean[q.id] = _yes_no(value)
            elif q.type == "text":
                text = _text(value)
                if text:
                    clean[q.id] = text
            else:
                clean[q.id] = _choice(q, value)
        except ValueError as exc:
            problems.append({"question": q.id, "message": str(exc)})
    if problems:
        raise AnswerError(survey.id, problems)
    return clean
