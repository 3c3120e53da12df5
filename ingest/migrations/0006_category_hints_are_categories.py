"""Category hints become one of Surge's categories or nothing
(ingest/category_hints.py); stored hints are mapped the same way, and a story
that inherited a hint that was no category ("world news") is filed again."""

from django.db import migrations, models

from ingest.category_hints import category_hint

STORY_CATEGORIES = {"world", "politics", "business", "technology", "science", "health", "entertainment", "sport", "general"}


def map_stored_hints(apps, schema_editor):
    Feed = apps.get_model("ingest", "Feed")
    for feed in Feed.objects.exclude(category_hint="").only("id", "category_hint"):
        mapped = category_hint(feed.category_hint)
        if mapped != feed.category_hint:
            Feed.objects.filter(pk=feed.pk).update(category_hint=mapped)
    Story = apps.get_model("trends", "Story")
    for story in Story.objects.exclude(category__in=STORY_CATEGORIES).only("id", "category"):
        Story.objects.filter(pk=story.pk).update(category=category_hint(story.category) or "general")


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0005_feed_items_skipped"),
        ("trends", "0002_story_search_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="feed",
            name="category_hint",
            field=models.CharField(
                blank=True,
                choices=[
                    ("world", "World"),
                    ("politics", "Politics"),
                    ("business", "Business"),
                    ("technology", "Technology"),
                    ("science", "Science"),
                    ("health", "Health"),
                    ("entertainment", "Entertainment"),
                    ("sport", "Sport"),
                ],
                max_length=32,
            ),
        ),
        migrations.RunPython(map_stored_hints, migrations.RunPython.noop),
    ]
