"""The verifier's part of evaluate_briefs: real lead sentences from
Giveme5W1H cited to their article's lead must pass; their altered twins (a
name, number or month/day swapped for another event's, a negation added or
removed) must fail; descriptions against their article's lead are reported."""

import random
import re
from collections import defaultdict
from dataclasses import dataclass

from lab.briefs.evaluation import share
from trends.words.briefs import text as t
from trends.words.briefs.evidence import lead_sentences
from trends.words.briefs.verifier import Verifier

SEED = 5
LEAD_FOR_EVIDENCE = 5  # sentences of an article's lead that a real sentence is checked against

_AUXILIARY = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should|must|did|does|do)\b")
_SAID = {
    "said": "did not say",
    "says": "does not say",
    "told": "did not tell",
    "announced": "did not announce",
}
_NEGATION = re.compile(r"\s+(not|never)\b|n't\b", re.IGNORECASE)
_NUMBER_TOKEN = re.compile(r"\b\d[\d,.]*\b")
_MONTH_OR_DAY = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)


@dataclass
class Case:
    event: str
    sentence: str
    evidence: list[str]
    alteration: str = (
        ""  # '' for the real sentence; else name, number, date, negation_added, negation_removed
    )
    context: str = ""  # the event's whole evidence


def verifier_cases(by_event: dict[str, list[dict]]) -> tuple[list[Case], list[Case], list[Case]]:
    """Real sentences (each lead sentence, cited to its article's lead),
    their altered twins (one fact swapped for another event's, or the
    negation flipped), and paraphrases (an article's description, cited to
    its lead, where the description is not copied from the text)."""
    rng = random.Random(SEED)
    leads = {}
    for event, rows in by_event.items():
        for index, row in enumerate(rows):
            leads[(event, index)] = _lead(row)
    pools = _pools(by_event, leads)
    contexts = defaultdict(list)
    for (event, _index), lead in leads.items():
        contexts[event] += lead
    real, altered, paraphrases = [], [], []
    for (event, index), lead in sorted(leads.items()):
        if not lead:
            continue
        context = " ".join(contexts[event])
        for sentence in lead[:3]:
            real.append(Case(event, sentence, lead, "", context))
            for kind, changed in _alterations(sentence, lead, event, pools, rng):
                altered.append(Case(event, changed, lead, kind, context))
        description = " ".join((by_event[event][index].get("description") or "").split())
        if len(description) >= 40 and t.words(description) not in [t.words(s) for s in lead]:
            if description[:60] not in by_event[event][index]["text"]:
                paraphrases.append(
                    Case(event, t.split_sentences(description)[0], lead, "paraphrase", context)
                )
    return real, altered, paraphrases


def _lead(row: dict) -> list[str]:
    from trends.words.briefs import evidence

    saved = evidence.LEAD_SENTENCES
    evidence.LEAD_SENTENCES = LEAD_FOR_EVIDENCE
    try:
        return lead_sentences(row["text"], row.get("title") or "")
    finally:
        evidence.LEAD_SENTENCES = saved


def _pools(by_event, leads) -> dict[str, dict[str, list[str]]]:
    """Names, numbers and month/day words by event, to swap in from elsewhere."""
    pools: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for (event, _index), lead in leads.items():
        for sentence in lead:
            for token in t.tokens(sentence):
                if token[:1].isupper() and t.fold(token) in t.names(sentence) and len(token) > 3:
                    pools[event]["name"].append(token)
            pools[event]["number"] += _NUMBER_TOKEN.findall(sentence)
            pools[event]["date"] += _MONTH_OR_DAY.findall(sentence)
    return pools


def _alterations(sentence: str, lead: list[str], event: str, pools, rng) -> list[tuple[str, str]]:
    """One altered twin per kind of fact the sentence has."""
    evidence_words = set(t.words(" ".join(lead)))
    evidence_numbers = t.numbers(" ".join(lead))
    evidence_dates = t.dates(" ".join(lead))
    others = [e for e in pools if e != event]
    found = []

    names = [tok for tok in t.tokens(sentence) if tok[:1].isupper() and t.fold(tok) in t.names(sentence)]
    names = [n for n in names if len(n) > 3 and t.fold(n) not in t.DEMONYMS]
    for kind, targets, acceptable in (
        ("name", names, lambda n: t.fold(n) not in evidence_words),
        ("number", _NUMBER_TOKEN.findall(sentence), lambda n: not (t.numbers(n) & evidence_numbers)),
        ("date", _MONTH_OR_DAY.findall(sentence), lambda d: not (t.dates(d) & evidence_dates)),
    ):
        if targets:
            target = rng.choice(targets)
            replacement = _pick(rng, others, pools, kind, acceptable)
            if replacement:
                found.append((kind, re.sub(rf"\b{re.escape(target)}\b", replacement, sentence, count=1)))
    if _NEGATION.search(sentence):
        found.append(("negation_removed", _NEGATION.sub("", sentence, count=1)))
    elif not t.negated_stems(sentence)[1]:
        added = _add_negation(sentence)
        if added:
            found.append(("negation_added", added))
    return found


def _pick(rng, events, pools, kind, acceptable) -> str:
    candidates = [value for e in events for value in pools[e][kind] if acceptable(value)]
    return rng.choice(candidates) if candidates else ""


def _add_negation(sentence: str) -> str:
    match = _AUXILIARY.search(sentence)
    if match:
        return f"{sentence[: match.end()]} not{sentence[match.end() :]}"
    for verb, negated in _SAID.items():
        if re.search(rf"\b{verb}\b", sentence):
            return re.sub(rf"\b{verb}\b", negated, sentence, count=1)
    return ""


def score_verifier(
    verifier: Verifier, real: list[Case], altered: list[Case], paraphrases: list[Case]
) -> dict:
    cases = real + altered + paraphrases
    verdicts = []
    for context in dict.fromkeys(c.context for c in cases):
        group = [c for c in cases if c.context == context]
        verdicts += list(
            zip(
                group,
                verifier.check_many([(c.sentence, c.evidence) for c in group], context=context),
                strict=True,
            )
        )
    order = {id(c): k for k, c in enumerate(cases)}
    verdicts = [v for _c, v in sorted(verdicts, key=lambda pair: order[id(pair[0])])]
    by_case = list(zip(cases, verdicts, strict=True))
    passed_real = [v.supported for c, v in by_case if not c.alteration]
    caught = defaultdict(list)
    for c, v in by_case:
        if c.alteration and c.alteration != "paraphrase":
            caught[c.alteration].append(not v.supported)
    passed_paraphrase = [v.supported for c, v in by_case if c.alteration == "paraphrase"]
    all_caught = [x for values in caught.values() for x in values]
    failures = [
        {"sentence": c.sentence, "reason": v.reason}
        for c, v in by_case
        if (not c.alteration and not v.supported)
    ][:10]
    missed = [
        {"kind": c.alteration, "sentence": c.sentence}
        for c, v in by_case
        if c.alteration and c.alteration != "paraphrase" and v.supported
    ][:10]
    return {
        "real_sentences": len(passed_real),
        "verifier_real_pass": share(passed_real),
        "altered_sentences": len(all_caught),
        "verifier_altered_caught": share(all_caught),
        "altered_caught_by_kind": {k: {"n": len(v), "caught": share(v)} for k, v in sorted(caught.items())},
        "paraphrases": len(passed_paraphrase),
        "verifier_paraphrase_pass": share(passed_paraphrase),
        "real_failures": failures,
        "altered_missed": missed,
    }
