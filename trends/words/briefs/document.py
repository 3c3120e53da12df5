"""The brief as the site stores and shows it: typed here, a plain dict in
Story.brief (JSON), and back.

Keys kept from the first stored format, which the API already published:
`sentences` (what happened), `watch_next`, `angles`, `answers`,
`supported_share`, `corroborated_share`, `method`, `updated_at`. A brief
stored in that first format reads back with its old angle shape mapped to the
new one."""

from dataclasses import dataclass, field
from datetime import datetime

NO_ANSWER = "The coverage does not say yet."


def _ids(values) -> list[int]:
    return [int(v) for v in values or [] if isinstance(v, int | str) and str(v).isdigit()]


@dataclass
class Line:
    """One sentence the page shows, with the article ids it cites (the first
    is the article it comes from). An editor's own sentence cites nothing."""

    text: str
    citations: list[int] = field(default_factory=list)
    source: str = ""
    by_editor: bool = False

    def to_dict(self) -> dict:
        data = {"text": self.text, "citations": list(self.citations), "source": self.source}
        if self.by_editor:
            data["by_editor"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Line":
        return cls(
            text=str(data.get("text", "")),
            citations=_ids(data.get("citations")),
            source=str(data.get("source", "")),
            by_editor=bool(data.get("by_editor")),
        )


@dataclass
class TimelineEntry:
    """A development: when, which outlet reported it, what changed."""

    at: datetime
    source: str
    text: str
    citations: list[int]

    def to_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "source": self.source,
            "text": self.text,
            "citations": self.citations,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TimelineEntry":
        return cls(
            at=datetime.fromisoformat(data["at"]),
            source=str(data.get("source", "")),
            text=str(data.get("text", "")),
            citations=_ids(data.get("citations")),
        )


@dataclass
class Angle:
    """A group of articles that stress one aspect: named by the words they
    share (each of which the quoted sentence contains), with their outlets."""

    words: list[str]
    sources: list[str]
    text: str
    citations: list[int]
    articles: int = 0
    members: set[int] = field(default_factory=set, compare=False, repr=False)  # not stored

    def to_dict(self) -> dict:
        return {
            "words": self.words,
            "sources": self.sources,
            "text": self.text,
            "citations": self.citations,
            "articles": self.articles,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Angle":
        sources = data.get("sources")
        if sources is None:  # first format: one outlet per angle
            sources = [data["source"]] if data.get("source") else []
        return cls(
            words=[str(w) for w in data.get("words") or []],
            sources=[str(s) for s in sources],
            text=str(data.get("text", "")),
            citations=_ids(data.get("citations")),
            articles=int(data.get("articles") or len(_ids(data.get("citations")))),
        )


@dataclass
class Answer:
    """A question the coverage answers. kind: who, where, toll, when, next.
    An unanswered question has the NO_ANSWER text and no citations."""

    question: str
    answer: str
    citations: list[int]
    kind: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.citations)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "citations": self.citations,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        return cls(
            question=str(data.get("question", "")),
            answer=str(data.get("answer", "")),
            citations=_ids(data.get("citations")),
            kind=str(data.get("kind", "")),
        )


@dataclass
class Verification:
    """What the verifier did to a model's draft: sentences checked, the ones
    removed (with the reason), and the share that stood."""

    model: str
    checked: int
    removed: list[dict] = field(default_factory=list)  # {"text", "reason"}
    generated_at: datetime | None = None
    articles: int = 0  # the story's article count when the draft was written
    outlets: int = 0

    @property
    def supported_share(self) -> float:
        return round((self.checked - len(self.removed)) / self.checked, 3) if self.checked else 0.0

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "checked": self.checked,
            "removed": self.removed,
            "supported_share": self.supported_share,
            "generated_at": self.generated_at.isoformat() if self.generated_at else None,
            "articles": self.articles,
            "outlets": self.outlets,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Verification":
        generated = data.get("generated_at")
        return cls(
            model=str(data.get("model", "")),
            checked=int(data.get("checked") or 0),
            removed=[r for r in data.get("removed") or [] if isinstance(r, dict)],
            generated_at=datetime.fromisoformat(generated) if generated else None,
            articles=int(data.get("articles") or 0),
            outlets=int(data.get("outlets") or 0),
        )


EXTRACTIVE = "extractive"
MODEL = "model"


@dataclass
class Brief:
    """What happened, the timeline, how outlets differ, what to watch, quick
    answers, and how it was made. Every line cites the articles it rests on."""

    happened: list[Line] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    angles: list[Angle] = field(default_factory=list)
    watch: list[Line] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    writer: str = EXTRACTIVE
    verification: Verification | None = None
    updated_at: datetime | None = None
    edited: bool = False

    # --- figures the page shows ---

    def cited_lines(self) -> list[Line]:
        """Every line a reader sees as a sentence of the brief (answers included)."""
        answered = [Line(a.answer, a.citations) for a in self.answers if a.answered]
        angle_lines = [Line(a.text, a.citations) for a in self.angles]
        timeline_lines = [Line(e.text, e.citations) for e in self.timeline]
        return [*self.happened, *self.watch, *angle_lines, *timeline_lines, *answered]

    @property
    def supported_share(self) -> float:
        """Extractive: every cited line is quoted from its article. Model:
        what the verifier let stand. An editor's own sentence is not counted
        as supported."""
        if self.writer == MODEL and self.verification is not None:
            return self.verification.supported_share
        lines = self.cited_lines()
        return round(sum(1 for line in lines if line.citations) / len(lines), 3) if lines else 0.0

    @property
    def corroborated_share(self) -> float:
        """Share of what-happened lines that cite more than one article."""
        lines = [line for line in self.happened if not line.by_editor]
        return round(sum(1 for line in lines if len(line.citations) > 1) / len(lines), 3) if lines else 0.0

    @property
    def method(self) -> str:
        """The line under the brief that says how it was made."""
        editor_lines = sum(1 for line in self.happened if line.by_editor)
        if self.writer == MODEL and self.verification is not None:
            removed = len(self.verification.removed)
            text = (
                "Synthesized from the coverage under a no-invention rule; "
                f"{removed} unsupported claim{'s' if removed != 1 else ''} removed; "
                f"{round(self.verification.supported_share * 100)}% supported."
            )
        elif editor_lines:
            text = (
                "Built from the coverage: every sentence not marked “editor” is copied from it and cites its "
                "article."
            )
        else:
            text = (
                "Built from the coverage: every sentence is copied from the coverage and cites its article."
            )
        if editor_lines:
            text += (
                f" {editor_lines} sentence{'s' if editor_lines != 1 else ''} marked “editor” "
                f"{'were' if editor_lines != 1 else 'was'} written by an editor and cite"
                f"{'' if editor_lines != 1 else 's'} nothing."
            )
        return text

    # --- stored form ---

    def to_dict(self) -> dict:
        return {
            "sentences": [line.to_dict() for line in self.happened],
            "timeline": [entry.to_dict() for entry in self.timeline],
            "angles": [angle.to_dict() for angle in self.angles],
            "watch_next": [line.to_dict() for line in self.watch],
            "answers": [answer.to_dict() for answer in self.answers],
            "writer": self.writer,
            "method": self.method,
            "verification": self.verification.to_dict() if self.verification else None,
            "supported_share": self.supported_share,
            "corroborated_share": self.corroborated_share,
            "outlets_cited": len(
                {line.source for line in self.happened if line.source and not line.by_editor}
            ),
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "edited": self.edited,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "Brief":
        data = data if isinstance(data, dict) else {}

        def rows(key):
            return [row for row in data.get(key) or [] if isinstance(row, dict)]

        updated = data.get("updated_at")
        verification = data.get("verification")
        return cls(
            happened=[Line.from_dict(row) for row in rows("sentences")],
            timeline=[TimelineEntry.from_dict(row) for row in rows("timeline") if row.get("at")],
            angles=[Angle.from_dict(row) for row in rows("angles")],
            watch=[Line.from_dict(row) for row in rows("watch_next")],
            answers=[Answer.from_dict(row) for row in rows("answers")],
            writer=str(data.get("writer") or EXTRACTIVE),
            verification=Verification.from_dict(verification) if isinstance(verification, dict) else None,
            updated_at=datetime.fromisoformat(updated) if updated else None,
            edited=bool(data.get("edited")),
        )
