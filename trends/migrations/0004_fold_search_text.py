"""Search text is folded (accents, case and punctuation away) instead of only
lower-cased: rebuild it for existing stories."""

import re
import unicodedata

from django.db import migrations


def _fold(text):
    # trends.folding.fold as it was when this migration was written, copied so it never changes.
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = re.sub(r"(?<=\w)[.'’](?=\w)", "", bare.casefold())
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def refold_search_text(apps, schema_editor):
    Story = apps.get_model("trends", "Story")
    batch = []
    for story in Story.objects.order_by("pk").only("id", "headline", "dek", "brief").iterator(chunk_size=500):
        sentences = story.brief.get("sentences") if isinstance(story.brief, dict) else None
        texts = [s.get("text", "") for s in sentences or [] if isinstance(s, dict)]
        story.search_text = "\n".join(_fold(t) for t in [story.headline or "", story.dek or "", *texts])
        batch.append(story)
        if len(batch) >= 500:
            Story.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Story.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("trends", "0003_editorialaction_moves_to_editorial")]

    operations = [migrations.RunPython(refold_search_text, migrations.RunPython.noop)]
