"""Admin for outlets, feeds (with their health) and articles. Pausing and
resuming feeds and moving articles out of a story go through
editorial.operations, so they are recorded."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.text import Truncator

from editorial import operations
from ingest import clock
from ingest.models import Article, Feed, Source

# A URL typed without a scheme means https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class FeedInline(admin.TabularInline):
    model = Feed
    formfield_overrides = URL_FIELDS
    fields = ["url", "title", "category_hint", "paused", "last_success_at", "error_count"]
    readonly_fields = ["last_success_at", "error_count"]
    extra = 0
    show_change_link = True


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "domain", "country", "language", "feed_count"]
    search_fields = ["name", "domain"]
    list_filter = ["country", "language"]
    inlines = [FeedInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(feeds_total=Count("feeds"))

    @admin.display(description="feeds", ordering="feeds_total")
    def feed_count(self, source):
        return source.feeds_total


class FailingFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [("failing", "failing (3+ errors in a row)"), ("healthy", "healthy")]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            return queryset.filter(error_count__gte=3)
        if self.value() == "healthy":
            return queryset.filter(error_count__lt=3)
        return queryset


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = [
        "url",
        "source",
        "paused",
        "failing",
        "last_success_at",
        "last_error_at",
        "short_error",
        "error_count",
        "interval_minutes",
        "items_per_day_shown",
        "next_poll_at",
    ]
    list_filter = ["paused", FailingFilter, "category_hint"]
    search_fields = ["url", "title", "source__name", "source__domain"]
    list_select_related = ["source"]
    autocomplete_fields = ["source"]
    actions = ["pause_feeds", "resume_feeds"]
    # What polling writes: shown to editors, never edited by hand.
    health_fields = [
        "last_polled_at",
        "last_success_at",
        "last_error_at",
        "last_error",
        "error_count",
        "interval_seconds",
        "items_per_day",
        "items_seen",
        "items_skipped",
        "next_poll_at",
    ]
    fetch_state_fields = ["etag", "last_modified", "redirect_candidate", "redirect_count", "created_at"]
    fieldsets = [
        (None, {"fields": ["url", "source", "title", "category_hint", "paused"]}),
        ("Health", {"fields": health_fields}),
        ("Fetch state", {"classes": ["collapse"], "fields": fetch_state_fields}),
    ]
    readonly_fields = health_fields + fetch_state_fields

    @admin.display(description="failing", boolean=True, ordering="error_count")
    def failing(self, feed):
        return feed.is_failing

    @admin.display(description="last error")
    def short_error(self, feed):
        return Truncator(feed.last_error).chars(60)

    @admin.display(description="interval (min)", ordering="interval_seconds")
    def interval_minutes(self, feed):
        return round(feed.interval_seconds / 60)

    @admin.display(description="items/day", ordering="items_per_day")
    def items_per_day_shown(self, feed):
        return f"{feed.items_per_day:.1f}"

    def save_model(self, request, obj, form, change):
        """Pausing from the form is recorded like the list action."""
        if change and "paused" in form.changed_data:
            obj.paused = not obj.paused  # the operation below sets it and records it
            super().save_model(request, obj, form, change)
            operation = operations.pause_feeds if form.cleaned_data["paused"] else operations.resume_feeds
            operation([obj], request.user)
            obj.refresh_from_db(fields=["paused"])
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description="Pause selected feeds", permissions=["change"])
    def pause_feeds(self, request, queryset):
        changed = operations.pause_feeds(list(queryset), request.user)
        self.message_user(request, f"Paused {changed} feeds.", messages.SUCCESS)

    @admin.action(description="Resume selected feeds", permissions=["change"])
    def resume_feeds(self, request, queryset):
        changed = operations.resume_feeds(list(queryset), request.user)
        self.message_user(request, f"Resumed {changed} feeds.", messages.SUCCESS)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "stage", "story", "story_locked"]
    list_filter = ["stage", "story_locked"]
    search_fields = ["title", "canonical_url"]
    list_select_related = ["source", "story"]
    date_hierarchy = "published_at"
    raw_id_fields = ["story", "duplicate_of", "feed"]
    actions = ["move_out_to_new_story"]
    exclude = ["embedding"]
    readonly_fields = [
        "source",
        "feed",
        "url",
        "canonical_url",
        "guid",
        "title",
        "summary",
        "text",
        "extraction_note",
        "language",
        "published_at",
        "fetched_at",
        "stage",
        "story",
        "story_locked",
        "fingerprint",
        "duplicate_of",
    ]

    def has_add_permission(self, request):
        return False  # articles come from feeds

    @admin.action(description="Move selected articles out to a new story", permissions=["change"])
    def move_out_to_new_story(self, request, queryset):
        try:
            story = operations.move_articles_out(list(queryset), request.user, clock.now())
        except operations.EditorialError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            f"Moved {queryset.count()} articles to new story {story.pk} “{story.headline}”.",
            messages.SUCCESS,
        )
