"""Themes of free-text feedback: clustered, named by their top terms, with sentiment and NPS.

Distinct comments are counted in SQL (feedback repeats itself a lot, so this is what makes
millions of answers cheap), turned into TF-IDF vectors (words and word pairs, German and
English stop words removed) and clustered with k-means weighted by how often each comment
was given (scikit-learn). A theme is named by the heaviest terms of its centre; per theme:
volume, mean sentiment, the NPS of the customers who wrote it, and examples.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from journeyhub.feedback.sentiment import sentiment
from journeyhub.store import Database

_GERMAN = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes auch auf aus bei bin bis bist da damit dann der den des dem die das dass du er es
    ein eine einem einen einer eines etwas euch euer für gegen hab habe haben hat hatte hatten
    hier hin hinter ich ihr ihre im in ist ja jede jedem jeden jeder jedes jetzt kann kein
    keine man mein meine mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne
    sehr sein seine sich sie sind so soll sollte sondern um und uns unser unter vom von vor war
    waren warum was weil welche wenn wer werde werden wie wieder will wir wird wo wurde wurden
    zu zum zur über alles ganz gerne immer schon sowie
"""
GERMAN_STOP_WORDS = frozenset(_GERMAN.split())
STOP_WORDS = sorted(GERMAN_STOP_WORDS | ENGLISH_STOP_WORDS)


def _comments(db: Database, survey: str | None) -> list[dict[str, Any]]:
    where, params = ("AND survey_id = ?", [survey]) if survey else ("", [])
    return db.query(
        f"""SELECT comment, any_value(language) AS language, count(*) AS n,
                   count_if(kind = 'nps' AND score >= 9) AS promoters,
                   count_if(kind = 'nps' AND score <= 6) AS detractors,
                   count_if(kind = 'nps' AND score IS NOT NULL) AS nps_n,
                   list(response_id ORDER BY ts DESC)[1:3] AS examples
            FROM survey_responses
            WHERE comment IS NOT NULL AND length(trim(comment)) > 0 {where}
            GROUP BY comment""",
        params,
    )


def themes(db: Database, k: int = 8, survey: str | None = None, terms: int = 3) -> dict[str, Any]:
    """Up to ``k`` themes of the comments (all surveys, or one), biggest first."""
    rows = _comments(db, survey)
    if not rows:
        return {"comments": 0, "themes": []}
    texts = [r["comment"] for r in rows]
    weights = np.array([r["n"] for r in rows], dtype=float)
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, stop_words=STOP_WORDS, token_pattern=r"(?u)\b\w\w+\b"
    )
    matrix = vectorizer.fit_transform(texts)
    clusters = min(k, len(texts))
    model = KMeans(n_clusters=clusters, n_init=4, random_state=0)
    labels = model.fit_predict(matrix, sample_weight=weights)
    vocabulary = np.array(vectorizer.get_feature_names_out())
    scored = [sentiment(t, r["language"]) for t, r in zip(texts, rows, strict=True)]
    out = []
    for c in range(clusters):
        members = [i for i in range(len(rows)) if labels[i] == c]
        if not members:
            continue
        top = vocabulary[np.argsort(model.cluster_centers_[c])[::-1][:terms]]
        n = sum(rows[i]["n"] for i in members)
        nps_n = sum(rows[i]["nps_n"] for i in members)
        nps = (
            100 * sum(rows[i]["promoters"] - rows[i]["detractors"] for i in members) / nps_n
            if nps_n else None
        )  # fmt: skip
        biggest = sorted(members, key=lambda i: -rows[i]["n"])
        out.append({
            "theme": " · ".join(top),
            "terms": top.tolist(),
            "volume": n,
            "share": n / weights.sum(),
            "sentiment": sum(scored[i]["score"] * rows[i]["n"] for i in members) / n,
            "negative_share": sum(rows[i]["n"] for i in members
                                  if scored[i]["label"] == "negative") / n,
            "nps": nps,
            "nps_n": nps_n,
            "examples": [{"text": rows[i]["comment"], "count": rows[i]["n"],
                          "sentiment": scored[i]["label"],
                          "responses": rows[i]["examples"]} for i in biggest[:3]],
        })  # fmt: skip
    out.sort(key=lambda t: -t["volume"])
    return {"comments": int(weights.sum()), "distinct": len(rows), "themes": out}
