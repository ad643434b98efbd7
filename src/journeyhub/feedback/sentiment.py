"""Sentiment of feedback text in German and English, offline (lexicons ship in packages).

- English: VADER (``vaderSentiment``, MIT; lexicon inside the package) with a few customer
  service terms added ("late", "damaged", "refund takes forever" are negative in feedback).
- German: VADER's method over the German Polarity Lexicon (Klenner et al. 2010, Apache-2.0;
  7,300 words, shipped in ``feedback/data``) plus a customer-service lexicon of our own:
  adjective endings stripped to find the lemma, negation (nicht, kein, nie, ohne) flips and
  damps the next words, intensifiers (sehr, total, extrem) and dampeners (etwas, ziemlich)
  scale them, and after a contrast (aber, jedoch) the words count more.

``score`` is VADER's compound value in -1..1; ``label``: positive >= 0.05, negative <= -0.05.
Accuracy on labelled samples (tests/data/sentiment_*.tsv) is reported by
``benchmarks/sentiment_bench.py`` and checked in the tests.
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

DATA = Path(__file__).parent / "data"
THRESHOLD = 0.05

# customer-service words the general lexicons miss or weigh wrongly (ours, Apache-2.0)
CX_DE: dict[str, float] = {
    "spät": -1.5, "verspätet": -1.8, "beschädigt": -2.2, "kaputt": -2.2, "defekt": -2.2,
    "ewig": -1.5, "dreimal": -1.2, "zweimal": -0.8, "wartezeit": -1.0, "warteschleife": -1.5,
    "kompliziert": -1.5, "umständlich": -1.5, "fehlerhaft": -1.8, "storniert": -1.0,
    "falsch": -1.5, "falscher": -1.5, "nervig": -2.0, "katastrophe": -2.8, "ärgerlich": -2.0,
    "enttäuscht": -2.2, "enttäuschend": -2.2, "unfreundlich": -2.2, "stürzt": -1.5,
    "nie": -0.5, "niemand": -1.0, "immer noch nicht": -1.5, "zu teuer": -1.8, "teuer": -1.2,
    "super": 2.2, "toll": 2.2, "prima": 2.0, "klasse": 2.0, "top": 2.0, "bestens": 2.5,
    "schnell": 1.5, "schnelle": 1.5, "pünktlich": 1.5, "früher": 0.8, "zuverlässig": 1.8,
    "freundlich": 1.8, "kompetent": 1.8, "hilfreich": 1.8, "geholfen": 1.5, "danke": 1.5,
    "dank": 1.2, "zufrieden": 2.0, "reibungslos": 1.8, "unkompliziert": 1.8, "einfach": 1.2,
    "übersichtlich": 1.5, "empfehle": 1.8, "weiterempfehlen": 2.0, "gerne": 1.2,
    "hervorragend": 2.8, "hervorragender": 2.8, "spaß": 1.8, "endlich": 0.5,
    "funktioniert": 1.0, "geklappt": 1.2, "überrascht": 0.5, "okay": 0.3, "ok": 0.3,
    "ernst": 0.8, "angenehm": 1.8, "nett": 1.8, "nette": 1.8, "fair": 1.5, "fairen": 1.5,
}  # fmt: skip
CX_EN: dict[str, float] = {
    "late": -1.5, "damaged": -2.2, "broke": -2.0, "forever": -1.2, "nightmare": -2.8,
    "crashing": -1.8, "clunky": -1.5, "cancelled": -1.0, "ignored": -1.8, "wrong": -1.5,
    "expensive": -1.2, "never": -0.5, "nobody": -1.0, "disaster": -2.8, "apart": -1.0,
    "reliable": 1.8, "painless": 1.8, "smooth": 1.5, "patient": 1.2, "knowledgeable": 1.8,
    "recommend": 1.8, "sorted": 1.0, "quick": 1.2, "fast": 1.2, "okay": 0.3,
}  # fmt: skip

NEGATIONS_DE = {"nicht", "kein", "keine", "keinen", "keiner", "keinem", "nie", "niemals",
                "ohne", "nichts", "weder"}  # fmt: skip
BOOSTERS_DE = {"sehr": 0.293, "total": 0.293, "extrem": 0.293, "absolut": 0.293,
               "wirklich": 0.2, "echt": 0.2, "besonders": 0.2, "richtig": 0.2, "äußerst": 0.293,
               "rundum": 0.2, "viel": 0.2, "so": 0.1, "immer": 0.1, "ständig": 0.2,
               "etwas": -0.293, "ziemlich": -0.1, "kaum": -0.293, "eher": -0.2}  # fmt: skip
CONTRASTS_DE = {"aber", "jedoch", "allerdings", "trotzdem", "doch"}
_WORD = re.compile(r"[a-zäöüß]+(?:-[a-zäöüß]+)*", re.IGNORECASE)
_SUFFIXES = ("em", "en", "er", "es", "e", "st", "t")


@cache
def _german_lexicon() -> dict[str, float]:
    lexicon: dict[str, float] = {}
    for line in (DATA / "de_polarity.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, polarity = line.split("\t")
            lexicon[word] = float(polarity) * 2.0  # -1..1 -> VADER's -4..4 scale, moderately
    lexicon.update(CX_DE)
    return lexicon


@cache
def _german_phrases() -> tuple[str, ...]:
    """The multi-word entries of the German lexicon ("zu teuer", "immer noch nicht")."""
    return tuple(p for p in _german_lexicon() if " " in p)


@cache
def _english() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(CX_EN)
    return analyzer


def _lookup(lexicon: dict[str, float], word: str) -> float | None:
    if word in lexicon:
        return lexicon[word]
    for suffix in _SUFFIXES:  # inflected adjective or verb -> lemma
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem in lexicon:
                return lexicon[stem]
    return None


def german_score(text: str) -> float:
    """VADER-style compound score (-1..1) of a German text."""
    lexicon = _german_lexicon()
    words = [w.lower() for w in _WORD.findall(text)]
    joined = " ".join(words)
    total = 0.0
    # multi-word expressions first ("zu teuer", "immer noch nicht")
    for phrase in _german_phrases():
        if f" {phrase} " in f" {joined} ":
            total += lexicon[phrase]
            for part in phrase.split():
                if part in words:
                    words[words.index(part)] = ""
    contrast = next((i for i, w in enumerate(words) if w in CONTRASTS_DE), None)
    for i, word in enumerate(words):
        if not word or word in NEGATIONS_DE or word in BOOSTERS_DE:
            continue
        valence = _lookup(lexicon, word)
        if valence is None:
            continue
        for back in range(1, 4):  # the three words before
            if i - back < 0:
                break
            prev = words[i - back]
            if prev in BOOSTERS_DE and back == 1:
                valence += math.copysign(BOOSTERS_DE[prev] * 4, valence)
            if prev in NEGATIONS_DE:
                valence *= -0.74
                break
        if contrast is not None:
            valence *= 0.5 if i < contrast else 1.5
        total += valence
    # a negation with no scored word near it ("nie angekommen", "keine Antwort"): negative
    if total == 0 and any(w in NEGATIONS_DE for w in words):
        total = -1.2
    if "!" in text and total:
        total += math.copysign(0.292 * min(text.count("!"), 3), total)
    return total / math.sqrt(total * total + 15)


def english_score(text: str) -> float:
    """VADER compound score (-1..1) of an English text."""
    return float(_english().polarity_scores(text)["compound"])


def label(score: float) -> str:
    """``positive``, ``negative`` or ``neutral``."""
    return "positive" if score >= THRESHOLD else "negative" if score <= -THRESHOLD else "neutral"


_GERMAN_HINTS = re.compile(
    r"\b(und|nicht|ich|der|die|das|ist|war|sehr|mit|für|kein|keine|wurde|habe|bei|auf|zu|im|wieder"
    r"|gerne|hat|ein|eine|alles)\b|[äöüß]",
    re.IGNORECASE,
)


def detect_language(text: str) -> str:
    """``de`` or ``en``: German function words and umlauts and German lexicon words against
    English stop words and VADER lexicon words; German (the seed market) on a tie."""
    words = [w.lower() for w in _WORD.findall(text)]
    english = _english().lexicon
    en = sum(w in ENGLISH_STOP_WORDS or w in english for w in words)
    german = _german_lexicon()
    de = len(_GERMAN_HINTS.findall(text)) + sum(w in german for w in words)
    return "en" if en > de else "de"


def sentiment(text: str, language: str | None = None) -> dict[str, Any]:
    """``{"score", "label", "language"}`` of one text (language detected when not given)."""
    lang = language if language in ("de", "en") else detect_language(text)
    score = german_score(text) if lang == "de" else english_score(text)
    return {"score": score, "label": label(score), "language": lang}
