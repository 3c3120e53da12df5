"""A story's evidence: lead sentences of extracted text, headlines and feed
summaries otherwise, and which articles a long story's brief reads."""

from datetime import UTC, datetime, timedelta

from trends.words.briefs.evidence import (
    SAMPLE_FIRST,
    SAMPLE_NEWEST,
    SAMPLE_SPREAD,
    Coverage,
    article_evidence,
    lead_sentences,
    sample_for_brief,
)

T0 = datetime(2026, 1, 3, tzinfo=UTC)
PAGE_TEXT = """Chinese missile test over Japan
Xinhua | Updated: 2017-09-15 17:52
BEIJING -- China on Friday said it opposes ballistic missile launches by North Korea.
The missile flew over Japan's northern island of Hokkaido and into the Pacific Ocean on Friday.
Photo: a man watches the news in Tokyo
Foreign ministry spokesman Geng Shuang urged all parties to exercise restraint.
He added that sanctions alone would not resolve the issue, according to a statement."""


def test_lead_sentences_skip_the_headline_byline_caption_and_dateline():
    lead = lead_sentences(PAGE_TEXT, "Chinese missile test over Japan")
    assert lead == [
        "China on Friday said it opposes ballistic missile launches by North Korea.",
        "The missile flew over Japan's northern island of Hokkaido and into the Pacific Ocean on Friday.",
        "Foreign ministry spokesman Geng Shuang urged all parties to exercise restraint.",
    ]


def test_an_article_with_text_gives_its_headline_and_lead():
    item = Coverage(
        1, "Xinhua", "Chinese missile test over Japan", "A short summary of it all.", PAGE_TEXT, T0
    )
    kinds = [e.kind for e in article_evidence(item)]
    assert kinds == ["headline", "lead", "lead", "lead"]


def test_an_article_without_text_gives_its_headline_and_feed_summary():
    summary = "Rescuers searched the rubble through the night. Officials said 12 people were still missing."
    item = Coverage(2, "AP", "Quake hits coastal town", summary, "", T0)
    evidence = article_evidence(item)
    assert [(e.kind, e.text) for e in evidence] == [
        ("headline", "Quake hits coastal town"),
        ("summary", "Rescuers searched the rubble through the night."),
        ("summary", "Officials said 12 people were still missing."),
    ]


def test_a_headline_only_article_gives_its_headline():
    assert [e.kind for e in article_evidence(Coverage(3, "AP", "Quake hits coastal town", "", "", T0))] == [
        "headline"
    ]


def test_a_headline_is_quoted_without_the_feeds_live_labels():
    live = Coverage(4, "Showbiz411", "UPDATING 2026 Critics Choice Awards", "", "", T0)
    winners = Coverage(5, "Variety", "Critics Choice Awards 2026 Winners (Updating Live)", "", "", T0)
    assert article_evidence(live)[0].text == "2026 Critics Choice Awards"
    assert article_evidence(winners)[0].text == "Critics Choice Awards 2026 Winners"


def test_sentences_do_not_break_after_abbreviations():
    lead = lead_sentences("U.S. Sen. Smith met Mr. Jones in Washington on Jan. 3 to discuss the budget deal.")
    assert lead == ["U.S. Sen. Smith met Mr. Jones in Washington on Jan. 3 to discuss the budget deal."]


def test_a_long_story_reads_its_first_reports_its_newest_and_a_spread_between():
    items = [Coverage(k, "S", f"t{k}", "", "", T0 + timedelta(minutes=k)) for k in range(300)]
    chosen = {i.article_id for i in sample_for_brief(items)}
    assert len(chosen) == SAMPLE_FIRST + SAMPLE_NEWEST + SAMPLE_SPREAD
    assert set(range(SAMPLE_FIRST)) <= chosen
    assert set(range(300 - SAMPLE_NEWEST, 300)) <= chosen
    assert any(100 <= k < 200 for k in chosen)


def test_a_short_story_reads_every_article():
    items = [Coverage(k, "S", f"t{k}", "", "", T0 + timedelta(minutes=k)) for k in range(12)]
    assert sample_for_brief(items) == items


def test_a_long_storys_first_reports_start_where_its_coverage_took_off():
    # Five items an hour apart (an earlier happening the story took in), then the event's burst.
    trickle = [Coverage(k, "S", f"early {k}", "", "", T0 + timedelta(hours=k)) for k in range(5)]
    burst_start = T0 + timedelta(hours=30)
    burst = [
        Coverage(100 + k, "S", f"burst {k}", "", "", burst_start + timedelta(minutes=k)) for k in range(200)
    ]
    chosen = {i.article_id for i in sample_for_brief(trickle + burst)}
    assert not chosen & set(range(5))
    assert set(range(100, 100 + SAMPLE_FIRST)) <= chosen
    assert len(chosen) == SAMPLE_FIRST + SAMPLE_NEWEST + SAMPLE_SPREAD
