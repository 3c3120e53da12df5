from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editors' desk"

    def ready(self):
        from editorial import receivers  # noqa: F401  (connects the story-event receivers)

        post_migrate.connect(_create_editors_group, sender=self)


def _create_editors_group(sender, using="default", **kwargs):
    """Every migrate (and test-database flush) leaves the editors group in place."""
    from editorial.management.commands.create_editors_group import ensure_editors_group

    if using != "default":
        return
    ensure_editors_group()
