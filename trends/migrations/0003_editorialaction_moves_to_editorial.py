# EditorialAction now belongs to the editorial app (same table, state only).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("trends", "0002_story_search_text")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="EditorialAction")],
            database_operations=[],
        ),
    ]
