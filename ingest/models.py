"""Outlets, their feeds, and the articles the crawler stores from them."""

from django.db import models

from ingest import category_hints
from ingest.text import clean_line


class Source(models.Model):
    """A news outlet. Several feeds may belong to one outlet; source diversity
    is counted per outlet, not per feed."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, unique=True)
    homepage = models.URLField(max_length=500, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        # Typed by editors, shown on pages and in feeds: cleaned like ingested text.
        self.name = clean_line(self.name)


class Feed(models.Model):
    url = models.URLField(max_length=2000, unique=True)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="feeds")
    title = models.CharField(max_length=300, blank=True)
    # The outlet's own section for this feed ("technology", "sport"), a hint for
    # the story category: one of Surge's categories or "" (ingest/category_hints.py).
    category_hint = models.CharField(max_length=32, blank=True, choices=category_hints.CHOICES)
    paused = models.BooleanField(default=False)

    # Conditional GET state.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    # Scheduling. next_poll_at is on Surge's clock (the replayed one in the demo);
    # claimed_until is real time: a worker's lease on this feed.
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    interval_seconds = models.PositiveIntegerField(default=900)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=36, blank=True)

    # Health.
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    items_skipped = models.PositiveIntegerField(
        default=0, help_text="entries of the last document that could not be read"
    )
    items_per_day = models.FloatField(default=0, help_text="the feed's own posting rate")
    # A permanent redirect is adopted only once it has repeated.
    redirect_candidate = models.URLField(max_length=2000, blank=True)
    redirect_count = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source__name", "url"]

    def __str__(self):
        return self.url

    def save(self, *args, **kwargs):
        # Whatever wrote the hint (an import, a command, code), only a known
        # category is stored.
        self.category_hint = category_hints.category_hint(self.category_hint)
        super().save(*args, **kwargs)

    def clean(self):
        self.title = clean_line(self.title)

    @property
    def is_failing(self) -> bool:
        return self.error_count >= 3


class Article(models.Model):
    class Stage(models.TextChoices):
        NEW = "new", "waiting for extraction"
        EXTRACTED = "extracted", "waiting for embedding"
        ASSIGNED = "assigned", "in a story"
        FAILED = "failed", "failed"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles")
    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles")
    url = models.URLField(max_length=2000, help_text="the link as the feed gave it")
    canonical_url = models.URLField(max_length=2000, unique=True)
    guid = models.CharField(max_length=1000, blank=True)
    title = models.TextField()
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True)
    extraction_note = models.CharField(
        max_length=200,
        blank=True,
        help_text="why the feed summary stands in for the page text",
    )
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(db_index=True)
    fetched_at = models.DateTimeField()
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.NEW, db_index=True)
    # A worker's lease (real time) on an article it is processing.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=36, blank=True, db_index=True)
    embedding = models.BinaryField(null=True, blank=True)
    story = models.ForeignKey(
        "trends.Story",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    # An editor moved this article: re-clustering must leave it where it is.
    story_locked = models.BooleanField(default=False)
    # Near-duplicate detection (syndicated wire copies): a locality-sensitive
    # fingerprint of the text, compared across feeds.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "guid"],
                condition=~models.Q(guid=""),
                name="unique_guid_per_feed",
            )
        ]
        indexes = [models.Index(fields=["story", "published_at"])]

    def __str__(self):
        return self.title


class ReplayClock(models.Model):
    """When a row exists, Surge's 'now' is a replayed timeline: every process
    reads it (see surge/clock.py) so that the demo's trends rise and fade on
    the stream's own dates. Production never has a row."""

    simulated_start = models.DateTimeField()
    real_start = models.DateTimeField()
    speed = models.FloatField(help_text="simulated seconds per real second")
    # The replayed time stands still here, whatever row a process has cached:
    # a replay collects its last hour's items before that hour is measured.
    holds_at = models.DateTimeField(null=True, blank=True)


class HostSlot(models.Model):
    """One of the few concurrent-request slots a host allows (see
    ingest/hostlimits.py). A slot is a lease in real time, so a worker killed
    while holding one frees it when the lease runs out."""

    host = models.CharField(max_length=253)
    slot = models.PositiveSmallIntegerField()
    held_until = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=36, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "slot"], name="unique_host_slot")]


class HostPace(models.Model):
    """The earliest real time the next request to a host may start."""

    host = models.CharField(max_length=253, unique=True)
    next_request_at = models.DateTimeField()


class TextBand(models.Model):
    """Banded locality-sensitive keys of an article's text (ingest/dedup.py):
    two articles sharing a key are candidate near-duplicates. The article's
    publish time sits beside the key so a lookup reads only a time window."""

    key = models.CharField(max_length=12)
    published_at = models.DateTimeField()
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="text_bands")

    class Meta:
        indexes = [models.Index(fields=["key", "published_at"])]


class RobotsRules(models.Model):
    """A site's robots.txt as last fetched (ingest/robots.py), shared by every
    worker on every machine, so each site is asked once a day, not once per
    worker process."""

    origin = models.CharField(max_length=300, unique=True)  # scheme://host[:port]
    rules = models.TextField(blank=True)
    expires_at = models.DateTimeField()
