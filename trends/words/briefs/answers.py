"""Quick answers: who did what, where, the toll, what next; asked only
where the evidence answers them, except "what happens next"."""

import re
from collections import defaultdict

from trends.words.briefs import text as t
from trends.words.briefs.document import NO_ANSWER, Answer, Line
from trends.words.briefs.reading import (
    _GENERIC,
    _PLACE_PREPOSITIONS,
    _REPORTING,
    StoryReading,
    _clean,
    _fact_score,
    _names_after_preposition,
    is_event_fact,
)
from trends.words.briefs.watch import MAX_WATCH
from trends.words.folding import fold_name
from trends.words.places import countries_named, country_of_demonym, is_country

MAX_ANSWERS = 4

_ACTIONS = frozenset(
    """captures captured strikes struck launches launched signs signed arrives arrived resigns resigned
    wins won loses lost kills killed arrests arrested charges charged sues sued files filed
    orders ordered approves approved rejects rejected bans banned meets met visits visited returns
    returned leaves left joins joined sends sent seizes seized attacks attacked opens opened closes
    closed pleads pleaded appears appeared faces faced cuts raises raised drops dropped buys bought sells
    sold fires fired hires hired releases released names named takes took makes made gives gave becomes
    became beats beat scores scored plans planned moves moved pulls pulled agrees agreed ends ended
    starts started begins began cancels cancelled canceled suspends suspended extends extended""".split()
)
_NOT_VERBS = frozenset({"red", "bed", "speed", "seed", "need", "feed", "breed", "deed", "shed", "weed"})
_NOT_BEFORE_SUBJECT = frozenset({"by", "of", "with", "from", "to", "against", "about", "for", "and"})
_PASSIVE_FOLLOWERS = frozenset(
    {"in", "by", "after", "at", "on", "over", "from", "as", "to", "for", "during", "amid"}
)
# What follows a headline's second participle when both are passive: "Maduro captured and flown out of".
_PARTICLES = frozenset({"out", "off", "away", "back", "home", "into", "abroad"})
_AUXILIARIES = frozenset({"has", "have", "had", "will", "would", "also", "now", "reportedly", "is", "was"})
_TOLL = re.compile(
    r"(dead|deaths?|died|killed|killing|kills|fatalities|injured|wounded|hurt|missing|casualties|lives)",
    re.I,
)
_COUNT = (
    r"(?:\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"dozens|scores|hundreds|thousands)"
)
_TOLL_WORD = r"(?:dead|died|killed|injured|wounded|hurt|missing|deaths|casualties|fatalities)"
_TOLL_STATED = re.compile(
    rf"\b{_COUNT}\s+(?:(?:people|persons|others|more|civilians|children|soldiers|protesters|migrants|"
    rf"passengers|victims|were|are|have|has|been|feared|confirmed|reported|now|later|is|was)\s+){{0,3}}"
    rf"{_TOLL_WORD}\b|"
    rf"\b(?:killing|killed|kills|injuring|wounding|leaving|left)\s+"
    rf"(?:at least|more than|nearly|about|around|some|over|up to)?\s*{_COUNT}\b|"
    rf"\bdeath toll\s+(?:\w+\s+){{0,3}}{_COUNT}\b"
)
_HURT = re.compile(r"\b(injured|wounded|hurt|casualties)\b", re.I)


def quick_answers(
    reading: StoryReading, topics: list[tuple[str, str]], watch: list[Line], happened: list[Line]
) -> list[Answer]:
    """Two to four questions the coverage answers, in the order a reader
    asks them. watch: the forward-looking lines, the section's first. "What
    happens next" is answered by a step beyond the section's, left to the
    section when it has no more, and said to be unanswered when nothing in
    the coverage looks ahead (the one question a reader always asks)."""
    # Answers do not repeat each other or what to watch; they may repeat a
    # what-happened line, but only when nothing else answers.
    taken: set[str] = {line.text for line in watch}
    shown = {line.text for line in happened}
    answers: list[Answer] = []

    def add(answer: Answer | None):
        if answer is not None and len(answers) < MAX_ANSWERS - 1:
            answers.append(answer)
            taken.add(answer.answer)

    used = _Used(taken, shown)

    people = {name for name, kind in topics if kind == "person"}
    for name in _actors(reading, topics):
        if sum(1 for a in answers if a.kind == "who") == 2:
            break
        add(_who(reading, name, used, person=name in people))
    by_demonym = _placed_by_demonym(reading)
    add(_where(reading, _places(reading, topics, by_demonym), by_demonym, used))
    add(_toll(reading, used))
    if len(watch) > MAX_WATCH:
        # The section shows the first ones; the answer adds another step ahead.
        answers.append(
            Answer("What happens next?", watch[MAX_WATCH].text, watch[MAX_WATCH].citations, "next")
        )
    elif not watch and answers:
        answers.append(Answer("What happens next?", NO_ANSWER, [], "next"))
    return answers


class _Used:
    def __init__(self, taken: set[str], shown: set[str]):
        self.taken, self.shown = taken, shown


def _actors(reading: StoryReading, topics: list[tuple[str, str]]) -> list[str]:
    """People and organisations the story is about, most mentioned first:
    not a word of a longer name in the list ('News' of 'CBS News'), not a
    people's name ('Swiss', 'Venezuelan'), and named by two articles."""
    names = [name for name, kind in topics if kind in ("person", "organisation")]
    names += [name for name, kind in topics if kind == "term" and name not in names]
    actors = []
    for name in names:
        folded = t.fold(name)
        if any(folded != t.fold(o) and f" {folded} " in f" {t.fold(o)} " for o, _ in topics):
            continue
        if folded in t.DEMONYMS or _is_place_word(folded, topics) or folded in _GENERIC:
            continue
        if reading.placed[folded] >= 2:
            continue  # 'in Caracas': a place
        if reading.article_count > 1 and reading.df[t.stem(t.words(folded)[-1])] < 2:
            continue
        actors.append(name)
    return actors


def _is_place_word(folded: str, topics) -> bool:
    places = [t.fold(name) for name, kind in topics if kind == "place"]
    return any(t.same_stem(t.stem(folded), t.stem(place)) for place in places if " " not in folded)


def _places(
    reading: StoryReading, topics: list[tuple[str, str]], by_demonym: defaultdict[str, list[str]]
) -> list[str]:
    """Places the story happens in: named by a quarter of its articles, not
    a word of a person's name ('Victoria' of 'Victoria Jones'). by_demonym:
    _placed_by_demonym(reading)."""
    people = [t.fold(name) for name, kind in topics if kind == "person"]
    places = []
    for name, kind in topics:
        folded = t.fold(name)
        if kind != "place" and (reading.placed[folded] < 2 or folded in t.HOLIDAYS or folded in t.MONTHS):
            continue
        if any(f" {folded} " in f" {person} " for person in people if person != folded):
            continue
        if (
            reading.article_count >= 4
            and reading.df[t.stem(t.words(folded)[-1])] < 0.25 * reading.article_count
            and len(by_demonym[folded]) < 2
        ):
            continue  # seldom named, unless the coverage places things "in a Swiss resort"
        places.append(name)
    return places


def _placed_by_demonym(reading: StoryReading) -> defaultdict[str, list[str]]:
    """Country (folded) -> the demonyms the coverage puts things "in" or "at",
    once per line ("at a Swiss ski resort" places something in Switzerland)."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    for word, lines in reading.placed.items():
        country = country_of_demonym(word.title()) if " " not in word else None
        if country is not None:
            found[t.fold(country)].extend([word] * lines)
    return found


def _answer_candidates(reading: StoryReading, used: _Used):
    """Evidence fit to answer with: facts of the event, relevant to the
    story, not already an answer; sentences before headlines, statements
    ('X says') after facts, lines the brief already shows last."""
    rows = []
    for e in reading.evidence:
        text = _clean(e.text)
        if text in used.taken or not is_event_fact(text) or reading.outside_voice(text):
            continue
        c = reading.candidate(e)
        if c is None or not reading.relevant(c):
            continue
        statement = any(w in _REPORTING for w in t.words(text))
        rows.append(
            (
                text in used.shown,
                e.kind == "headline",
                statement,
                -_fact_score(reading, c),
                e.position,
                text,
                e,
                c,
            )
        )
    rows.sort(key=lambda row: row[:5])
    return [(text, e, c) for *_, text, e, c in rows]


def _who(reading: StoryReading, name: str, used: _Used, *, person: bool = False) -> Answer | None:
    """'What did Rubio say?' answered by a sentence in which Rubio is
    followed by what Rubio said or did. A person's surname alone counts
    ("Rubio says" for Marco Rubio): headlines seldom give the full name."""
    name_words = t.words(name)
    if not name_words:
        return None
    spellings = [name_words, name_words[-1:]] if person and len(name_words) > 1 else [name_words]
    said = did = None
    for text, e, c in _answer_candidates(reading, used):
        verb = next(filter(None, (_verb_after(text, words) for words in spellings)), None)
        if verb in _REPORTING and said is None:
            said = (text, e, c)
        elif verb is not None and verb not in _REPORTING and did is None:
            did = (text, e, c)
    # What someone did says more about an event than what they said about it.
    if did is not None:
        text, e, c = did
        return Answer(f"What did {name} do?", text, reading.line(e, c.stems).citations, "who")
    if said is not None:
        text, e, c = said
        return Answer(f"What did {name} say?", text, reading.line(e, c.stems).citations, "who")
    return None


def _verb_after(text: str, name_words: list[str]) -> str | None:
    """The verb that follows the name as its subject ('Rubio says', 'Trump
    has ordered'), folded; None when the name is not a subject there."""
    # Words, and a comma or colon as a word of its own: "produced by Weinstein, gave" has no subject.
    raw = re.findall(r"[^\W_]+(?:['’][^\W_]+)*|[,;:]", text)
    folded = [t.fold(w) for w in raw]
    size = len(name_words)
    for index in range(len(folded) - size):
        if folded[index : index + size] != name_words:
            continue
        if _is_possessive(raw[index + size - 1]):
            continue  # "Trump's decision": a possessive, not a subject
        if _object_of_preposition(folded, raw, index):
            continue  # "produced by Weinstein", "video of Venezuela's Maduro": not a subject
        for offset in range(index + size, min(index + size + 3, len(folded))):
            word, original = folded[offset], raw[offset]
            past = word.endswith("ed") or (word in _ACTIONS | _REPORTING and not word.endswith("s"))
            following = folded[offset + 1] if offset + 1 < len(folded) else ""
            passive = following in ("of", "by") if word in _REPORTING else following in _PASSIVE_FOLLOWERS
            passive = passive or (following in ("and", ",") and _passive_participle(folded, offset + 2))
            if past and (not following or passive):
                return None  # headline passive: "Maduro seized", "Google accused of addicting kids"
            if word in _REPORTING or word in _ACTIONS:
                return word
            if original[:1].islower() and len(word) > 4 and word.endswith("ed") and word not in _NOT_VERBS:
                return word
            if word not in _AUXILIARIES:
                break
    return None


def _object_of_preposition(folded: list[str], raw: list[str], index: int) -> bool:
    """The name at index follows 'by', 'of'... directly or after a
    possessive ("of Venezuela's Maduro")."""
    before = index - 1
    if before > 0 and _is_possessive(raw[before]):
        before -= 1
    return before >= 0 and folded[before] in _NOT_BEFORE_SUBJECT


def _is_possessive(word: str) -> bool:
    return word.lower().endswith(("'s", "’s"))


def _passive_participle(folded: list[str], index: int) -> bool:
    """folded[index] is a participle with no object after it: the second
    half of "captured and flown out of Venezuela", not of "arrested and
    charged two men"."""
    if index >= len(folded):
        return False
    word = folded[index]
    participle = (len(word) > 3 and word.endswith(("ed", "en", "wn"))) or (
        word in _ACTIONS and not word.endswith("s")
    )
    after = folded[index + 1] if index + 1 < len(folded) else ""
    return participle and (not after or after in _PASSIVE_FOLLOWERS or after in _PARTICLES)


def _where(
    reading: StoryReading, places: list[str], by_demonym: defaultdict[str, list[str]], used: _Used
) -> Answer | None:
    if not places:
        return None
    place_words = [t.words(p) for p in places]
    place_words += [[word] for p in places for word in set(by_demonym[t.fold(p)])]
    folded_places = {fold_name(p) for p in places}
    scenes = _scenes(reading, places, by_demonym)
    for text, e, c in _answer_candidates(reading, used):
        if _led_by_another_country(text, folded_places):
            continue  # "Colombia braces … after the raid in Venezuela": a neighbour's reaction
        if _first_placed_elsewhere(text, scenes):
            continue  # "Protests erupt in US cities over … in Venezuela": it happens in the US
        folded = t.words(text)
        for words in place_words:
            for index in range(1, len(folded) - len(words) + 1):
                reach = 1 if t.is_title_case(text) else 4
                if folded[index : index + len(words)] == words and _after_preposition(folded, index, reach):
                    return Answer("Where did it happen?", text, reading.line(e, c.stems).citations, "where")
    return None


def _scenes(reading: StoryReading, places: list[str], by_demonym: defaultdict[str, list[str]]) -> set[str]:
    """The story's places where things happen (folded): those the coverage
    puts something "in" or "at" at least a third as often as the most so
    placed. A country that acts ("US strikes Venezuela") is a topic too, but
    rarely the scene."""
    placed = {t.fold(p): reading.placed[t.fold(p)] + len(by_demonym[t.fold(p)]) for p in places}
    most = max(placed.values(), default=0)
    scenes = {p for p, n in placed.items() if n * 3 >= most}
    return scenes | {word for p in scenes for word in by_demonym[p]}


def _first_placed_elsewhere(text: str, scenes: set[str]) -> bool:
    """The first name the line puts something "in" or "at" is a country
    other than the story's scenes."""
    first = next(iter(_names_after_preposition(text)), None)
    if first is None or first in scenes:
        return False
    return is_country(first) or country_of_demonym(first.title()) is not None


def _led_by_another_country(text: str, folded_places: set[str]) -> bool:
    """The line opens with a country that is not one of the story's places (folded)."""
    opening = " ".join(re.findall(r"[^\W_]+", text)[:3])
    return any(fold_name(c) not in folded_places for c in countries_named(opening) if opening.startswith(c))


def _after_preposition(folded: list[str], index: int, reach: int = 4) -> bool:
    """'in Caracas', 'in the Venezuelan capital Caracas', 'over Caracas', 'in
    northern Japan' (a Title Case headline: right after it, 'Rage At Trump's
    Venezuela' is no place)."""
    for back in range(1, reach + 1):
        if index - back < 0:
            return False
        word = folded[index - back]
        if word in _PLACE_PREPOSITIONS:
            # "over" places only what follows it ("heard over Caracas"); further
            # on it gives a cause ("skips an event over Trump's Venezuela strikes").
            return word != "over" or all(w == "the" for w in folded[index - back + 1 : index])
        if word in t.STOPWORDS and word != "the":
            return False
    return False


def _toll(reading: StoryReading, used: _Used) -> Answer | None:
    for text, e, c in _answer_candidates(reading, used):
        if _states_toll(text):
            question = "How many people were hurt?" if _HURT.search(text) else "How many people died?"
            return Answer(question, text, reading.line(e, c.stems).citations, "toll")
    return None


def _states_toll(text: str) -> bool:
    """'40 dead', 'six people were killed', 'killing at least 10', 'death
    toll rises to 40' -- not 'found dead at 34' or 'Victoria, 34, found dead'
    (an age)."""
    return bool(_TOLL_STATED.search(t.fold(text)))
