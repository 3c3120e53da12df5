"""Stories (groups of articles telling the same news) and their hourly history."""

from django.db import models

from trends.words.folding import fold

CATEGORIES = [
    ("world", "World"),
    ("politics", "Politics"),
    ("business", "Business"),
    ("technology", "Technology"),
    ("science", "Science"),
    ("health", "Health"),
    ("entertainment", "Entertainment"),
    ("sport", "Sport"),
    ("general", "General"),
]


class Lifecycle(models.TextChoices):
    EMERGING = "emerging", "Emerging"
    RISING = "rising", "Rising"
    PEAKING = "peaking", "Peaking"
    FADING = "fading", "Fading"
    FADED = "faded", "Faded"


class Forecast(models.TextChoices):
    FADES = "fades", "fades by tomorrow"
    HOLDS = "holds", "holds through tomorrow"
    RISING = "rising", "still rising tomorrow"


class Story(models.Model):
    headline = models.TextField()
    dek = models.TextField(blank=True, help_text="second line, chosen from the coverage")
    category = models.CharField(max_length=20, choices=CATEGORIES, default="general", db_index=True)

    # Times on Surge's clock, from the articles' own times.
    first_seen_at = models.DateTimeField(db_index=True)
    last_seen_at = models.DateTimeField(db_index=True)
    # Open stories take new articles; a story closes after a quiet period.
    is_open = models.BooleanField(default=True, db_index=True)

    # Sum of member unit vectors (float32 bytes); the centroid is its direction.
    centroid_sum = models.BinaryField()
    article_count = models.PositiveIntegerField(default=0)
    source_count = models.PositiveIntegerField(default=0)

    # Refreshed every hour from the snapshots.
    lifecycle = models.CharField(max_length=10, choices=Lifecycle.choices, default=Lifecycle.EMERGING)
    velocity = models.FloatField(default=0, db_index=True)
    first_velocity = models.FloatField(default=0, help_text="velocity at the first snapshot")
    peak_velocity = models.FloatField(default=0)
    forecast = models.CharField(max_length=10, choices=Forecast.choices, blank=True)
    forecast_probability = models.FloatField(null=True, blank=True, help_text="P(fades by tomorrow)")
    brief = models.JSONField(default=dict, blank=True)
    brief_updated_at = models.DateTimeField(null=True, blank=True)
    # Real time of the last model-writer attempt (trends/words/briefs/stories.py):
    # claimed by a conditional UPDATE, at most once per BRIEF_LLM_INTERVAL_MINUTES.
    brief_model_at = models.DateTimeField(null=True, blank=True)
    # updated_at as it was when the words (headline, dek, category, topics,
    # brief) were last derived: the ingest's refresh skips a story whose
    # updated_at has not moved since (trends/words/refresh.py).
    words_derived_for = models.DateTimeField(null=True, blank=True)
    # Folded headline, dek and brief sentence texts, for site search
    # (built by story_search_text; save() keeps it in step with those fields).
    search_text = models.TextField(blank=True, default="")

    # Editorial flags: what an editor set is never overwritten by automation.
    is_pinned = models.BooleanField(default=False, db_index=True)
    is_hidden = models.BooleanField(default=False)
    headline_locked = models.BooleanField(default=False)
    category_locked = models.BooleanField(default=False)
    brief_approved = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_stories",
        # Indexed only where set (below): an index holding every unmerged story
        # lured SQLite's planner into reading the whole history for "not merged".
        db_index=False,
    )

    created_at = models.DateTimeField(auto_now_add=True)
    # Workers sync their in-memory index of live centroids by this field.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-velocity"]
        verbose_name_plural = "stories"
        indexes = [
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="story_merged_into",
            )
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.search_text = story_search_text(self.headline, self.dek, self.brief)
        elif {"headline", "dek", "brief"} & set(update_fields):
            self.search_text = story_search_text(self.headline, self.dek, self.brief)
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("trends:story", args=[self.pk])


def story_search_text(headline: str, dek: str, brief) -> str:
    """What site search looks in: the words a reader sees, never the brief's
    JSON keys, folded (trends.folding) so that accents, case and punctuation
    never stop a match, on SQLite and PostgreSQL alike."""
    sentences = brief.get("sentences") if isinstance(brief, dict) else None
    texts = [s.get("text", "") for s in sentences or [] if isinstance(s, dict)]
    return "\n".join(fold(text) for text in [headline or "", dek or "", *texts])


class StorySnapshot(models.Model):
    """One row per story per hour (the hour that ends at `hour`)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="snapshots")
    hour = models.DateTimeField()
    articles = models.PositiveIntegerField(help_text="articles published in this hour")
    total_articles = models.PositiveIntegerField()
    sources = models.PositiveIntegerField(help_text="distinct outlets so far")
    effective_sources = models.FloatField(help_text="independent outlets in the recent window")
    article_rate = models.FloatField(help_text="exponentially weighted articles per hour")
    velocity = models.FloatField()
    lifecycle = models.CharField(max_length=10, choices=Lifecycle.choices)
    forecast = models.CharField(max_length=10, choices=Forecast.choices, blank=True)
    forecast_probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["story", "hour"]
        constraints = [models.UniqueConstraint(fields=["story", "hour"], name="one_snapshot_per_hour")]
        indexes = [models.Index(fields=["hour"])]


class Topic(models.Model):
    """A person, organisation, place or term that stories are about."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"
        PLACE = "place", "Place"
        TERM = "term", "Term"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TERM)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class StoryTopic(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="story_topics")
    # Indexed with the story (below): a topic's stories from a given story on, in one range.
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="story_topics", db_index=False)
    weight = models.FloatField(default=1.0, help_text="how many articles mention it")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "topic"], name="one_link_per_story_topic")]
        indexes = [models.Index(fields=["topic", "story"], name="storytopic_topic_story")]
