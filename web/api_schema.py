"""The JSON API's response shapes: one typed definition per object. The API
builds every answer through these models (web/api.py) and the OpenAPI schema
is generated from the same models (web/openapi.py), so the two cannot drift."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from trends.models import CATEGORIES, Lifecycle

CategoryCode = Literal[tuple(code for code, _ in CATEGORIES)]  # type: ignore[valid-type]
LifecycleStage = Literal[tuple(Lifecycle.values)]  # type: ignore[valid-type]
Uri = Annotated[str, Field(json_schema_extra={"format": "uri"})]
ArticleIds = Annotated[list[int], Field(description="article ids")]


class Shape(BaseModel):
    # Unknown keys are an error: a field the schema does not name never reaches a client.
    model_config = ConfigDict(extra="forbid")


class Forecast(Shape):
    outcome: Literal["fades", "holds", "rising"] | None
    probability_fades: float | None


class TrendSummary(Shape):
    id: int
    url: Uri
    api_url: Uri
    headline: str
    dek: str
    category: CategoryCode
    lifecycle: LifecycleStage
    velocity: float
    first_velocity: float
    article_count: int
    source_count: int
    first_seen_at: datetime
    last_seen_at: datetime
    is_pinned: bool
    forecast: Forecast


class TrendPage(Shape):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[TrendSummary]


class Article(Shape):
    id: int
    title: str
    outlet: str
    url: Uri | None = Field(description="http(s) only")
    published_at: datetime
    copy_of: int | None = Field(description="the original of a syndicated copy")


class Snapshot(Shape):
    hour: datetime = Field(description="end of the hour")
    articles: int
    total_articles: int
    sources: int
    effective_sources: float
    article_rate: float
    velocity: float
    lifecycle: str


class Topic(Shape):
    name: str
    slug: str
    kind: str


class CitedSentence(Shape):
    text: str
    citations: ArticleIds
    source: str = ""
    by_editor: bool = Field(default=False, description="written by an editor; cites nothing")


class TimelineEntry(Shape):
    at: datetime
    source: str
    text: str
    citations: ArticleIds


class Angle(Shape):
    words: list[str] = Field(description="the words the angle's articles share")
    sources: list[str]
    text: str
    citations: ArticleIds
    articles: int


class Answer(Shape):
    question: str
    answer: str = Field(description="'The coverage does not say yet.' when unanswered")
    citations: ArticleIds
    kind: str = Field(description="who, where, toll, when, next, or model")


class Verification(Shape):
    model: str
    checked: int
    removed: list[dict]
    supported_share: float
    generated_at: datetime | None
    articles: int
    outlets: int


class Brief(Shape):
    sentences: list[CitedSentence] = Field(description="what happened")
    timeline: list[TimelineEntry]
    angles: list[Angle] = Field(description="how outlets differ; empty unless the coverage splits")
    watch_next: list[CitedSentence] = Field(description="what to watch")
    answers: list[Answer]
    writer: Literal["extractive", "model"]
    method: str = Field(description="how the brief was made, as the page says it")
    verification: Verification | None = Field(
        description="model briefs: sentences checked and removed by the verifier"
    )
    supported_share: float
    corroborated_share: float
    outlets_cited: int
    updated_at: datetime | None
    edited: bool


class Trend(TrendSummary):
    brief: Brief | None = Field(description="null until the story's first brief is written")
    brief_updated_at: datetime | None
    brief_approved: bool
    topics: list[Topic]
    coverage: list[Article]
    snapshots: list[Snapshot]


class Error(Shape):
    error: str


# Named in the OpenAPI document's components, in this order.
COMPONENTS = (TrendSummary, TrendPage, Trend, Article, Snapshot, Topic, Brief, Error)
