"""Evaluating briefs, in three parts that the command evaluate_briefs runs:
the verifier on real and altered sentences from Giveme5W1H (lab/briefs/verify.py),
the built-in writer on the labelled newsriver stream (lab/briefs/stream.py),
and the model writer against a fake endpoint (lab/briefs/model.py). Here:
what the parts share, the Giveme5W1H events and the share of a list of
outcomes."""

import gzip
import json
from collections import defaultdict
from pathlib import Path


def giveme_articles(path: Path) -> dict[str, list[dict]]:
    """Articles with text, by event."""
    by_event: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("text") and len(row["text"]) > 800:
                by_event[str(row["newsCluster"]["EventId"])].append(row)
    return by_event


def share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
