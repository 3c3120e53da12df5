"""The model part of evaluate_briefs: the model writer against
FakeModelServer, which plants inventions among faithful sentences."""

from trends.words.briefs import text as t
from trends.words.briefs.verifier import Verifier


def score_model_writer(by_event: dict[str, list[dict]], verifier: Verifier, *, min_articles: int = 3) -> dict:
    """Each Giveme5W1H event with enough articles, briefed by the model writer
    against FakeModelServer: how many planted inventions the verifier
    removed, how many faithful sentences it kept, and the supported share
    the page shows."""
    from datetime import UTC, datetime

    from lab.briefs.fake_model import FakeModelServer
    from trends.words.briefs import llm
    from trends.words.briefs.document import MODEL
    from trends.words.briefs.evidence import Coverage
    from trends.words.briefs.model_writer import write_with_model

    server = FakeModelServer()
    endpoint = llm.Endpoint(server.url, "fake-scripted", "", 10)
    planted_total = planted_removed = faithful_total = faithful_kept = 0
    shares, fallbacks, events = [], 0, 0
    try:
        for _event, rows in sorted(by_event.items()):
            if len(rows) < min_articles:
                continue
            events += 1
            items = [
                Coverage(
                    k + 1,
                    row.get("source_domain") or "unknown",
                    row.get("title") or "",
                    row.get("description") or "",
                    row["text"],
                    _publish_time(row),
                )
                for k, row in enumerate(rows)
            ]
            before_planted, before_faithful = len(server.script.planted), len(server.script.faithful)
            brief = write_with_model(items, [], datetime.now(UTC), endpoint=endpoint, verifier=verifier)
            shown = {tuple(t.words(line.text)) for line in brief.happened + brief.watch}
            shown |= {tuple(t.words(a.answer)) for a in brief.answers}
            planted = server.script.planted[before_planted:]
            faithful = server.script.faithful[before_faithful:]
            planted_total += len(planted)
            faithful_total += len(faithful)
            planted_removed += sum(1 for s in planted if tuple(t.words(s)) not in shown)
            faithful_kept += sum(1 for s in faithful if tuple(t.words(s)) in shown)
            if brief.writer == MODEL and brief.verification is not None:
                shares.append(brief.verification.supported_share)
            else:
                fallbacks += 1
    finally:
        server.stop()
    return {
        "model_events": events,
        "model_planted": planted_total,
        "model_inventions_removed": round(planted_removed / planted_total, 4) if planted_total else None,
        "model_faithful": faithful_total,
        "model_faithful_kept": round(faithful_kept / faithful_total, 4) if faithful_total else None,
        "model_supported_share_shown": round(sum(shares) / len(shares), 4) if shares else None,
        "model_fallbacks_to_built_in": fallbacks,
    }


def _publish_time(row: dict):
    from datetime import UTC, datetime

    try:
        return datetime.fromisoformat(row.get("date_publish") or "").replace(tzinfo=UTC)
    except ValueError:
        return datetime(2018, 1, 1, tzinfo=UTC)
