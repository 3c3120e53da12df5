"""Hand-made coverage the brief tests share: one story told by fifteen
outlets (the Venezuela raid), and one development told six times."""

from datetime import UTC, datetime, timedelta

from trends.words.briefs import Brief, Coverage, write_brief

T0 = datetime(2026, 1, 3, 6, tzinfo=UTC)
NOW = T0 + timedelta(hours=8)


def item(aid, source, title, minutes, summary="", text=""):
    return Coverage(aid, source, title, summary, text, T0 + timedelta(minutes=minutes))


COVERAGE = [
    item(1, "Al Jazeera", "Explosions heard over Venezuelan capital Caracas amid US tensions", 0),
    item(2, "The Guardian", "Explosions and low-flying aircraft reported in Venezuelan capital Caracas", 10),
    item(
        3, "Reuters", "Trump says US forces captured Venezuelan President Nicolás Maduro in Caracas raid", 150
    ),
    item(4, "BBC", "US forces captured Maduro in Caracas raid, Trump says", 165),
    item(5, "AP", "Maduro flown to New York to face drug charges after US raid", 180),
    item(6, "CNN", "Maduro will appear in a Manhattan court on Monday, officials say", 210),
    item(7, "Mediaite", "'They lied to our face': Democrats decry Trump's raid on Venezuela", 240),
    item(8, "Fox", "How to watch Trump's address on the Venezuela raid tonight", 250),
    item(9, "The Hill", "Opinion: The Maduro raid sets a dangerous precedent", 260),
    item(10, "Reuters", "Oil prices jump as Venezuela raid rattles markets", 300),
    item(11, "Bloomberg", "Oil prices rise after US raid on Venezuela unsettles markets", 330),
    item(12, "CNBC", "Oil markets weigh Venezuela supply risk after Maduro capture", 360),
    item(13, "NPR", "Rubio says US will not govern Venezuela after Maduro capture", 390),
    item(14, "Politico", "Rubio says Venezuela transition will be led by Venezuelans", 400),
    item(15, "Axios", "Rubio tells Congress US is not at war with Venezuela", 420),
]
TOPICS = [
    ("Maduro", "person"),
    ("Venezuela", "place"),
    ("Trump", "person"),
    ("Rubio", "person"),
    ("Caracas", "place"),
]
NOT_FACTS = {7, 8, 9}  # reaction, service, opinion

# One development told five times: nothing moves, nothing splits, nothing looks ahead.
ONE_DEVELOPMENT = [
    item(21, "Reuters", "Fire destroys historic market hall in Ghent overnight", 0),
    item(22, "BBC", "Historic Ghent market hall destroyed by overnight fire", 20),
    item(23, "AP", "Overnight fire destroys Ghent's historic market hall", 30),
    item(24, "AFP", "Ghent market hall destroyed in overnight fire", 40),
    item(25, "DW", "Fire destroys historic market hall in Ghent", 50),
    item(26, "Euronews", "Historic market hall in Ghent destroyed by fire overnight", 55),
]


def brief(items=COVERAGE, topics=TOPICS) -> Brief:
    return write_brief(items, topics, NOW)
