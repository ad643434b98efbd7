"""Sentiment of German and English feedback, offline; accuracy on the labelled samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyhub.feedback.sentiment import detect_language, sentiment

DATA = Path(__file__).parents[1] / "data"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Super schnelle Lieferung, gerne wieder!", "de", "positive"),
        ("Die Beratung war nicht hilfreich.", "de", "negative"),  # negation flips
        ("Nicht schlecht, wirklich.", "de", "positive"),
        ("Lieferung kam zu spät und war beschädigt.", "de", "negative"),
        ("Die Ware war gut, aber der Service war eine Katastrophe.", "de", "negative"),
        ("Ich habe im Laden in Köln bezahlt.", "de", "neutral"),
        ("Fast delivery, great quality!", "en", "positive"),
        ("The delivery was late and the box was damaged.", "en", "negative"),
        ("The staff were not friendly at all.", "en", "negative"),
        ("Delivered by DHL.", "en", "neutral"),
    ],
)
def test_sample_sentences(text: str, language: str, expected: str) -> None:
    assert sentiment(text, language)["label"] == expected
    assert detect_language(text) == language


def labelled(language: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / f"sentiment_{language}.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label, text = line.split("\t")
            rows.append(({"pos": "positive", "neg": "negative", "neu": "neutral"}[label], text))
    return rows


@pytest.mark.parametrize("language", ["de", "en"])
def test_accuracy_on_the_labelled_sample(language: str) -> None:
    sample = labelled(language)
    assert len(sample) == 50
    right = sum(sentiment(text, language)["label"] == label for label, text in sample)
    assert right / len(sample) >= 0.8  # measured: de 0.92, en 0.86 (benchmarks/README)
