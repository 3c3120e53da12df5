"""The editors' log listens to the stories stage: every merge, an editor's or
the hourly pass's, is recorded on both stories."""

from django.dispatch import receiver

from editorial.models import record_action
from trends.models import Story
from trends.stories.signals import story_merged


@receiver(story_merged, sender=Story)
def log_merge(sender, absorbed, kept, user, automatic, articles_moved, **kwargs):
    if automatic:
        record_action(None, kept, "auto-merge", merged_story=absorbed.pk, articles_moved=articles_moved)
        record_action(None, absorbed, "auto-merge", target_story=kept.pk, articles_moved=articles_moved)
        return
    record_action(
        user,
        kept,
        "merge",
        merged_story=absorbed.pk,
        merged_headline=absorbed.headline,
        articles_moved=articles_moved,
    )
    record_action(user, absorbed, "merged_into", target_story=kept.pk, articles_moved=articles_moved)
