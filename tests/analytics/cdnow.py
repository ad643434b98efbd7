"""The CDNOW sample (tests/data/cdnow_sample.txt) as `Order Completed` events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

CDNOW = Path(__file__).parents[1] / "data" / "cdnow_sample.txt"

# Fader, Hardie & Lee (2005): BG/NBD on the 39-week calibration period, in weeks;
# Gamma-Gamma on the mean value of the repeat purchases (Fader, Hardie & Lee 2005, "RFM and CLV")
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
CALIBRATION_END = "1997-09-30"


def cdnow_events(path: Path = CDNOW) -> Iterator[dict[str, Any]]:
    """One track event per purchase record (several on one day are one purchase day)."""
    with path.open() as fh:
        for i, line in enumerate(fh):
            customer, _, day, cds, value = line.split()
            yield {
                "type": "track",
                "event": "Order Completed",
                "userId": f"cdnow-{customer}",
                "messageId": f"cdnow-{i}",
                "timestamp": f"{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00Z",
                "properties": {"revenue": float(value), "cds": int(cds), "currency": "USD"},
            }
