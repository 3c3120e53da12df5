"""The optional model writer: a language model writes the brief's what
happened, what to watch and quick answers from numbered evidence, citing
evidence numbers in every sentence; the verifier then checks each sentence
against the evidence it cites and removes the ones that fail. The timeline
and the outlets' angles stay the built-in writer's (they are lists of quoted
headlines, nothing to synthesise).

Anything that goes wrong (timeout, HTTP error, an answer that is not the
JSON asked for, a draft whose every sentence fails) gives the built-in brief."""

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from trends.words.briefs import llm
from trends.words.briefs import text as t
from trends.words.briefs.document import MODEL, NO_ANSWER, Answer, Brief, Line, Verification
from trends.words.briefs.evidence import Coverage, Evidence, story_evidence
from trends.words.briefs.reading import StoryReading, is_event_fact
from trends.words.briefs.verifier import Verifier
from trends.words.briefs.writer import write_brief

log = logging.getLogger(__name__)

MAX_EVIDENCE = 40  # numbered pieces of evidence sent
MAX_HAPPENED, MAX_WATCH, MAX_ANSWERS = 4, 2, 4
MIN_KEPT = 2  # what-happened sentences that must pass, or the built-in brief stands
_CITATION = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")

SYSTEM_PROMPT = """You write a short news brief for one story, using ONLY the numbered evidence you are given.
Rules:
1. Every sentence ends with the numbers of the evidence it relies on, in square brackets: [3] or [2][5].
2. State only what the cited evidence states. No outside knowledge, no guesses, no opinions, no \
adjectives the evidence does not use. Copy names, numbers and dates exactly as the evidence gives them.
3. "happened": 2 to 4 sentences on the core event: who did what, where, when, with numbers where the \
evidence has them. Not reactions or commentary.
4. "watch": 0 to 2 sentences on announced next steps (dates, pending decisions). Empty when the evidence \
has none.
5. "answers": 2 to 4 questions a reader of this story would ask that the evidence answers, each with a \
one-sentence answer that cites evidence. At most one answer may be exactly "The coverage does not say \
yet." (no citation).
Reply with one JSON object and nothing else:
{"happened": ["… [1]", "… [2][4]"], "watch": ["… [5]"], "answers": [{"question": "…?", "answer": "… [3]"}]}"""


@dataclass
class Draft:
    happened: list[tuple[str, list[int]]] = field(default_factory=list)
    watch: list[tuple[str, list[int]]] = field(default_factory=list)
    answers: list[tuple[str, str, list[int]]] = field(default_factory=list)


def numbered_evidence(reading: StoryReading, limit: int = MAX_EVIDENCE) -> list[Evidence]:
    """The evidence the model sees: facts of the event most relevant to the
    story, at most two pieces per article and every outlet before a second
    piece from any, numbered in time order."""
    ranked = []
    for e in reading.evidence:
        c = reading.candidate(e)
        if c is None or not is_event_fact(e.text):
            continue
        ranked.append(
            (-(c.relevance + (0.2 if e.is_sentence else 0)), e.published_at, e.article_id, e.position, e)
        )
    ranked.sort(key=lambda row: row[:4])
    chosen: list[Evidence] = []
    per_article: dict[int, int] = {}
    outlets_seen: set[str] = set()
    for pass_number in (0, 1, 2):
        for *_key, e in ranked:
            if len(chosen) == limit:
                break
            if e in chosen or per_article.get(e.article_id, 0) >= 2:
                continue
            if pass_number == 0 and e.source in outlets_seen:
                continue
            if pass_number == 1 and per_article.get(e.article_id, 0) >= 1:
                continue
            chosen.append(e)
            per_article[e.article_id] = per_article.get(e.article_id, 0) + 1
            outlets_seen.add(e.source)
    chosen.sort(key=lambda e: (e.published_at, e.article_id, e.position))
    return chosen


def messages_for(headline: str, evidence: list[Evidence]) -> list[dict]:
    lines = [
        f"[{number}] ({e.source}, {e.published_at:%Y-%m-%d %H:%M} UTC) {' '.join(e.text.split())}"
        for number, e in enumerate(evidence, 1)
    ]
    user = f"Story: {headline}\n\nEvidence:\n" + "\n".join(lines)
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def parse_draft(content: str, evidence_count: int) -> Draft:
    """The model's JSON, sentences split from their evidence numbers. Raises
    ModelError on anything that is not the object asked for."""
    match = re.search(r"\{.*\}", content, re.S)
    if not match:
        raise llm.ModelError("the model's answer holds no JSON object")
    try:
        data = json.loads(match.group(0))
    except ValueError as exc:
        raise llm.ModelError(f"the model's JSON does not parse: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("happened"), list):
        raise llm.ModelError("the model's JSON has no 'happened' list")
    draft = Draft()
    for text in data.get("happened", [])[:MAX_HAPPENED]:
        if isinstance(text, str) and text.strip():
            draft.happened.append(split_citations(text, evidence_count))
    for text in (data.get("watch") or [])[:MAX_WATCH]:
        if isinstance(text, str) and text.strip():
            draft.watch.append(split_citations(text, evidence_count))
    for row in (data.get("answers") or [])[:MAX_ANSWERS]:
        if (
            isinstance(row, dict)
            and isinstance(row.get("question"), str)
            and isinstance(row.get("answer"), str)
        ):
            answer, numbers = split_citations(row["answer"], evidence_count)
            draft.answers.append((" ".join(row["question"].split()), answer, numbers))
    if not draft.happened:
        raise llm.ModelError("the model wrote no what-happened sentence")
    return draft


def split_citations(text: str, evidence_count: int) -> tuple[str, list[int]]:
    """('Maduro was captured.', [1, 3]) from 'Maduro was captured [1][3].';
    numbers outside the evidence are dropped."""
    numbers = []
    for group in _CITATION.findall(text):
        for number in re.split(r"[,;]", group):
            value = int(number)
            if 1 <= value <= evidence_count and value not in numbers:
                numbers.append(value)
    clean = _CITATION.sub("", text)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(clean.split()))
    return clean, numbers


def write_with_model(
    items: list[Coverage],
    topics: list[tuple[str, str]],
    now: datetime,
    *,
    endpoint: llm.Endpoint,
    verifier: Verifier,
    headline: str = "",
) -> Brief:
    """The model's brief as the verifier leaves it, or the built-in brief
    when the model fails or too little of its draft stands."""
    evidence_all = story_evidence(items)
    base = write_brief(items, topics, now, evidence=evidence_all)
    reading = StoryReading(items, evidence_all)
    evidence = numbered_evidence(reading)
    if not evidence:
        return base
    try:
        content = llm.chat(endpoint, messages_for(headline or items[0].title, evidence))
        draft = parse_draft(content, len(evidence))
    except llm.ModelError as exc:
        log.warning("model brief failed, the built-in brief stands: %s", exc)
        return base
    return verified_brief(draft, evidence, base, reading, verifier, endpoint.model, now)


def verified_brief(
    draft: Draft,
    evidence: list[Evidence],
    base: Brief,
    reading: StoryReading,
    verifier: Verifier,
    model: str,
    now: datetime,
) -> Brief:
    """Check every drafted sentence against the evidence it cites; keep the
    ones that pass. Fewer than MIN_KEPT what-happened sentences standing:
    the built-in brief."""
    sentences = [(text, numbers) for text, numbers in draft.happened + draft.watch]
    unanswerable = [row for row in draft.answers if _is_no_answer(row[1])][:1]
    answerable = [row for row in draft.answers if not _is_no_answer(row[1])]
    sentences += [(answer, numbers) for _question, answer, numbers in answerable]
    context = " ".join(e.text for e in reading.evidence)
    verdicts = verifier.check_many(
        [(text, [evidence[n - 1].text for n in numbers]) for text, numbers in sentences], context=context
    )
    removed = [
        {"text": text, "reason": verdict.reason}
        for (text, _numbers), verdict in zip(sentences, verdicts, strict=True)
        if not verdict.supported
    ]
    standing = iter(verdicts)
    happened = [
        _line(text, numbers, evidence) for text, numbers in draft.happened if next(standing).supported
    ]
    watch = [_line(text, numbers, evidence) for text, numbers in draft.watch if next(standing).supported]
    answers = [
        Answer(question, answer, _line(answer, numbers, evidence).citations, "model")
        for question, answer, numbers in answerable
        if next(standing).supported
    ]
    if unanswerable and len(answers) < MAX_ANSWERS:
        answers.append(Answer(unanswerable[0][0], NO_ANSWER, [], "model"))
    if len(happened) < min(MIN_KEPT, len(draft.happened)):
        log.warning(
            "model brief: %d of %d sentences removed; the built-in brief stands", len(removed), len(sentences)
        )
        return base
    verification = Verification(
        model=model,
        checked=len(sentences),
        removed=removed,
        generated_at=now,
        articles=reading.article_count,
        outlets=reading.outlet_count,
    )
    return Brief(
        happened=happened,
        timeline=base.timeline,
        angles=base.angles,
        watch=watch,
        answers=answers or base.answers,
        writer=MODEL,
        verification=verification,
        updated_at=now,
    )


def _line(text: str, numbers: list[int], evidence: list[Evidence]) -> Line:
    cited = list(dict.fromkeys(evidence[n - 1].article_id for n in numbers))
    return Line(t.as_sentence(text), cited, evidence[numbers[0] - 1].source if numbers else "")


def _is_no_answer(answer: str) -> bool:
    return t.words(answer) == t.words(NO_ANSWER) or t.words(answer) == t.words("The coverage does not say.")
