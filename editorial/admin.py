"""Admin for stories and their history. Every change an editor makes to a
story goes through editorial.operations, so it is recorded and survives the
automation; the admin never writes a story's fields directly."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from editorial import (
    operations,
    source_admin,  # noqa: F401  (registers the sources and feeds admin)
)
from editorial.models import EditorialAction
from ingest import clock
from trends.models import Story, StorySnapshot, StoryTopic, Topic


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is kept as it happened: viewable, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EditorialActionInline(admin.TabularInline):
    model = EditorialAction
    fields = ["created_at", "user", "action", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StoryTopicInline(admin.TabularInline):
    model = StoryTopic
    fields = ["topic", "weight"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Form fields that map to an editorial operation, and the locks they show.
EDITABLE_FIELDS = ["headline", "dek", "category", "is_pinned", "is_hidden", "brief_approved"]


class StoryForm(forms.ModelForm):
    """Refuses what editorial.operations would refuse, so the editor sees the
    reason on the form instead of an error page."""

    class Meta:
        model = Story
        fields = EDITABLE_FIELDS

    def clean(self):
        cleaned = super().clean()
        checks = [
            ("headline", operations.clean_headline),
            ("dek", operations.clean_dek),
            ("category", operations.clean_category),
        ]
        for name, check in checks:
            if name in cleaned:
                try:
                    cleaned[name] = check(cleaned[name])
                except operations.EditorialError as exc:
                    self.add_error(name, str(exc))
        return cleaned


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    form = StoryForm
    list_display = [
        "headline",
        "category",
        "lifecycle",
        "velocity",
        "article_count",
        "source_count",
        "is_pinned",
        "is_hidden",
        "locks",
        "merged_into",
        "first_seen_at",
        "public_page",
    ]
    list_filter = ["category", "lifecycle", "is_pinned", "is_hidden", "is_open", "headline_locked"]
    search_fields = ["headline", "dek"]
    list_select_related = ["merged_into"]
    date_hierarchy = "first_seen_at"
    # Set only through editorial actions, or measured by the pipeline: shown, never edited here.
    lock_fields = ["headline_locked", "category_locked", "merged_into", "public_page"]
    measured_fields = [
        "lifecycle",
        "velocity",
        "first_velocity",
        "peak_velocity",
        "forecast",
        "forecast_probability",
        "article_count",
        "source_count",
        "first_seen_at",
        "last_seen_at",
        "is_open",
        "brief_updated_at",
        "brief",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["headline", "dek", "category", "is_pinned", "is_hidden", "brief_approved"]}),
        ("Locks (set by editorial actions)", {"fields": lock_fields}),
        ("Measured", {"fields": measured_fields}),
    ]
    readonly_fields = lock_fields + measured_fields
    inlines = [StoryTopicInline, EditorialActionInline]
    actions = [
        "pin_stories",
        "unpin_stories",
        "hide_stories",
        "unhide_stories",
        "approve_briefs",
        "merge_stories",
    ]

    def has_add_permission(self, request):
        return False  # stories come from the coverage; "move out" makes new ones

    def has_delete_permission(self, request, obj=None):
        return False  # merge or hide instead: deleting would lose the history

    @admin.display(description="locks")
    def locks(self, story):
        names = [
            label
            for label, on in [
                ("headline", story.headline_locked),
                ("category", story.category_locked),
                ("brief", story.brief_approved),
            ]
            if on
        ]
        return ", ".join(names) or "–"

    @admin.display(description="page")
    def public_page(self, story):
        if story.pk is None:
            return "–"
        return format_html('<a href="{}">view</a>', reverse("trends:story", args=[story.pk]))

    def save_model(self, request, obj, form, change):
        """Turn the form's changes into editorial operations (recorded,
        locked), all or none: StoryForm.clean refused what they would refuse."""
        with transaction.atomic():
            self._apply_changes(request, obj, form)

    def _apply_changes(self, request, obj, form):
        story = Story.objects.get(pk=obj.pk)
        changed = set(form.changed_data)
        user = request.user
        if {"headline", "dek"} & changed:
            story = operations.retitle(story, user, form.cleaned_data["headline"], form.cleaned_data["dek"])
        if "category" in changed:
            story = operations.recategorise(story, user, form.cleaned_data["category"])
        if "is_pinned" in changed:
            story = (operations.pin if form.cleaned_data["is_pinned"] else operations.unpin)(story, user)
        if "is_hidden" in changed:
            story = (operations.hide if form.cleaned_data["is_hidden"] else operations.unhide)(story, user)
        if "brief_approved" in changed:
            if form.cleaned_data["brief_approved"]:
                story = operations.approve_brief(story, user)
            else:
                story = operations.release(story, user, "brief")

    def _each(self, request, queryset, operation, verb):
        for story in queryset:
            operation(story, request.user)
        self.message_user(request, f"{verb} {queryset.count()} stories.", messages.SUCCESS)

    @admin.action(description="Pin selected stories", permissions=["change"])
    def pin_stories(self, request, queryset):
        self._each(request, queryset, operations.pin, "Pinned")

    @admin.action(description="Unpin selected stories", permissions=["change"])
    def unpin_stories(self, request, queryset):
        self._each(request, queryset, operations.unpin, "Unpinned")

    @admin.action(description="Hide selected stories", permissions=["change"])
    def hide_stories(self, request, queryset):
        self._each(request, queryset, operations.hide, "Hid")

    @admin.action(description="Unhide selected stories", permissions=["change"])
    def unhide_stories(self, request, queryset):
        self._each(request, queryset, operations.unhide, "Unhid")

    @admin.action(description="Approve the briefs of selected stories", permissions=["change"])
    def approve_briefs(self, request, queryset):
        self._each(request, queryset, operations.approve_brief, "Approved the briefs of")

    @admin.action(
        description="Merge selected stories into the one with most articles", permissions=["change"]
    )
    def merge_stories(self, request, queryset):
        from trends.words.refresh import refresh_stories

        stories = sorted(queryset, key=lambda s: (-s.article_count, s.pk))
        if len(stories) < 2:
            self.message_user(request, "Select at least two stories to merge.", messages.WARNING)
            return
        target = stories[0]
        try:
            with transaction.atomic():  # every merge or none
                for source in stories[1:]:
                    target = operations.merge(source, target, request.user)
        except operations.EditorialError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        refresh_stories([target.pk], clock.now())
        self.message_user(
            request,
            f"Merged {len(stories) - 1} stories into story {target.pk} “{target.headline}”.",
            messages.SUCCESS,
        )


@admin.register(StorySnapshot)
class StorySnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "story",
        "hour",
        "articles",
        "total_articles",
        "sources",
        "velocity",
        "lifecycle",
        "forecast",
    ]
    list_filter = ["lifecycle"]
    list_select_related = ["story"]
    date_hierarchy = "hour"
    raw_id_fields = ["story"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(EditorialAction)
class EditorialActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "action", "story", "detail"]
    list_filter = ["action"]
    list_select_related = ["user", "story"]
    search_fields = ["story__headline", "user__username", "action"]
    date_hierarchy = "created_at"
