"""The editors' log: who did what to which story or feed, and when."""

from django.conf import settings
from django.db import models

from trends import page_versions
from trends.models import Story


class EditorialAction(models.Model):
    """Who did what to which story, and when. Kept forever. Automatic merges by
    the hourly pass are logged here too (user None), so a story's history reads
    in one place."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    story = models.ForeignKey(Story, on_delete=models.SET_NULL, null=True, related_name="editorial_actions")
    action = models.CharField(max_length=32)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table was created when the model lived in the trends app.
        db_table = "trends_editorialaction"
        ordering = ["-created_at"]


def record_action(user, story: Story | None, action: str, **detail) -> EditorialAction:
    """Every editorial action (and automatic merge) passes here: the story's
    pages and the lists are built afresh once it commits."""
    if story is not None:
        page_versions.stories_changed([story.pk])
    return EditorialAction.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        story=story,
        action=action,
        detail=detail,
    )
