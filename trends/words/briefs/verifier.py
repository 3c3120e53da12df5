"""The verifier: does a sentence say only what the evidence it cites says?

A written sentence (a model's, or anyone's) passes when
- it cites evidence;
- every name in it (people, organisations, places, acronyms) is in that
  evidence, allowing for 'Venezuelan'/'Venezuela' and 'U.S.'/'America';
- every number and every month or weekday in it is there too;
- its other content words are there, but for one in five (paraphrase);
- it negates what the evidence negates, and nothing else: 'did not capture
  Maduro' fails against 'captured Maduro', and the other way round;
- its meaning is close to one cited sentence (embedding cosine, or the
  similarity function given).
Names, numbers and dates get no tolerance: they are where an invention
hides. The thresholds and the rates they give are in
docs/decisions/briefs.md."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from trends.words.briefs import text as t

UNSUPPORTED_TERM_SHARE = 0.2  # of a sentence's content words that may be missing from its evidence
MIN_CLOSENESS = 0.45  # cosine to the closest cited sentence (all-MiniLM-L6-v2)

Similarity = Callable[[list[str], list[str]], np.ndarray]


@dataclass(frozen=True)
class Verdict:
    supported: bool
    reason: str = ""  # why not, for the record ('name not in the evidence: Obama')
    closeness: float = 0.0


def embedding_similarity(claims: list[str], evidence: list[str]) -> np.ndarray:
    """Cosine of every claim with every evidence sentence (MiniLM vectors);
    each distinct text is embedded once."""
    from trends.stories.embedding import embed_texts

    distinct = list(dict.fromkeys(claims + evidence))
    row = {text: k for k, text in enumerate(distinct)}
    vectors = embed_texts(distinct)
    return vectors[[row[c] for c in claims]] @ vectors[[row[e] for e in evidence]].T


def word_similarity(claims: list[str], evidence: list[str]) -> np.ndarray:
    """Cosine of stem sets: for tests and for a machine without the model."""
    matrix = np.zeros((len(claims), len(evidence)), dtype=np.float32)
    evidence_stems = [t.content_stems(e) for e in evidence]
    for row, claim in enumerate(claims):
        stems = t.content_stems(claim)
        for column, other in enumerate(evidence_stems):
            if stems and other:
                matrix[row, column] = len(stems & other) / np.sqrt(len(stems) * len(other))
    return matrix


class Verifier:
    def __init__(self, similarity: Similarity | None = None, *, min_closeness: float = MIN_CLOSENESS):
        self.similarity = similarity or embedding_similarity
        self.min_closeness = min_closeness

    def check(self, claim: str, cited: Sequence[str], *, context: str = "") -> Verdict:
        return self.check_many([(claim, cited)], context=context)[0]

    def check_many(self, pairs: Sequence[tuple[str, Sequence[str]]], *, context: str = "") -> list[Verdict]:
        """Each (sentence, texts of the evidence it cites); one similarity
        call for all of them. context: the story's whole evidence, whose
        lower-case words tell a sentence's capitalised first word ('Police
        said') from a name ('Obama said')."""
        common = t.lower_case_words(context)
        verdicts: list[Verdict | None] = []
        to_measure: list[int] = []
        for claim, cited in pairs:
            reason = lexical_problem(claim, cited, common)
            verdicts.append(Verdict(False, reason) if reason else None)
            if not reason:
                to_measure.append(len(verdicts) - 1)
        if to_measure:
            claims = [pairs[i][0] for i in to_measure]
            evidence = [e for i in to_measure for e in pairs[i][1]]
            matrix = self.similarity(claims, evidence)
            offset = 0
            for row, index in enumerate(to_measure):
                size = len(pairs[index][1])
                closeness = float(np.max(matrix[row, offset : offset + size]))
                offset += size
                if closeness < self.min_closeness:
                    verdicts[index] = Verdict(
                        False, f"meaning too far from the evidence ({closeness:.2f})", closeness
                    )
                else:
                    verdicts[index] = Verdict(True, "", closeness)
        return [v for v in verdicts if v is not None]


def lexical_problem(claim: str, cited: Sequence[str], common: set[str] | frozenset[str] = frozenset()) -> str:
    """Why the claim's words are not supported by the cited texts, or ''.
    common: words the story writes in lower case (see check_many)."""
    if not cited:
        return "cites no evidence"
    if not t.content_stems(claim):
        return "says nothing"
    joined = " ".join(cited)
    common = set(common) | t.lower_case_words(joined)
    evidence_words = set(t.words(joined)) | set(t.name_forms(joined))
    evidence_stems = {t.stem(w) for w in evidence_words}
    evidence_text = " " + " ".join(t.words(joined)) + " "

    claim_names = t.names(claim, common)
    for name in claim_names:
        if not _name_supported(name, evidence_words, evidence_stems, evidence_text):
            return f"name not in the evidence: {name}"
    missing_numbers = t.numbers(claim) - t.numbers(joined)
    if missing_numbers:
        shown = ", ".join(f"{n:g}" for n in sorted(missing_numbers))
        return f"number not in the evidence: {shown}"
    missing_dates = t.dates(claim) - t.dates(joined)
    if missing_dates:
        return f"date not in the evidence: {', '.join(sorted(missing_dates))}"

    name_stems = {t.stem(n) for n in claim_names}
    terms = [s for s in t.content_stems(claim) if s not in name_stems]
    unsupported = [s for s in terms if not _stem_supported(s, evidence_stems)]
    if len(unsupported) > int(UNSUPPORTED_TERM_SHARE * len(terms)):
        return f"words not in the evidence: {', '.join(sorted(unsupported))}"

    polarity = _polarity_problem(claim, cited)
    if polarity:
        return polarity
    return ""


def _name_supported(name: str, words: set[str], stems: set[str], text: str) -> bool:
    for form in t.aliases(name):
        if " " in form:
            if f" {form} " in text:
                return True
        elif form in words or _stem_supported(t.stem(form), stems):
            return True
    return False


def _stem_supported(stem: str, stems: set[str]) -> bool:
    return stem in stems or any(t.same_stem(stem, other) for other in stems)


def _polarity_problem(claim: str, cited: Sequence[str]) -> str:
    """Compare the claim with the cited sentence that shares most of its
    words: a word negated in one and stated in the other is a contradiction."""
    claim_stems = t.content_stems(claim)
    sentences = [s for text in cited for s in (t.split_sentences(text) or [text])]
    aligned = max(sentences, key=lambda s: len(claim_stems & t.content_stems(s)))
    claim_negated, _ = t.negated_stems(claim)
    evidence_negated, _ = t.negated_stems(aligned)
    aligned_stems = {t.stem(w) for w in t.words(aligned)}
    claim_stems = {t.stem(w) for w in t.words(claim)}
    for s in claim_negated:
        if s in aligned_stems and s not in evidence_negated:
            return f"negates what the evidence states ({s})"
    for s in evidence_negated:
        if s in claim_stems and s not in claim_negated:
            return f"states what the evidence negates ({s})"
    return ""
