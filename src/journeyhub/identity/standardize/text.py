"""Text helpers shared by the standardisers: whitespace, case, ASCII keys."""

from __future__ import annotations

import re
import unicodedata

_space = re.compile(r"\s+")
_not_key = re.compile(r"[^a-z0-9]")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})


def clean(value: object) -> str | None:
    """Trimmed text with single spaces; ``None`` for missing or blank values."""
    if value is None:
        return None
    text = _space.sub(" ", str(value)).strip()
    return text or None


def ascii_fold(text: str) -> str:
    """Lower-case ASCII spelling: umlauts as ae/oe/ue, ß as ss, other accents dropped.

    >>> ascii_fold("Müller-Lüdenscheidt")
    'mueller-luedenscheidt'
    """
    lowered = text.lower().translate(UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def match_key(text: str | None) -> str | None:
    """Letters and digits only, ASCII-folded: what two spellings of one name share.

    >>> match_key("Mueller") == match_key("Müller") == match_key("MÜLLER")
    True
    """
    if not text:
        return None
    key = _not_key.sub("", ascii_fold(text))
    return key or None


def fix_case(text: str) -> str:
    """Title-case words typed all upper or all lower; leave mixed case as typed.

    >>> fix_case("ANNA-LENA MÜLLER"), fix_case("McDonald")
    ('Anna-Lena Müller', 'McDonald')
    """
    if text != text.upper() and text != text.lower():
        return text
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), text.lower())
