from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrendsConfig(AppConfig):
    name = "trends"
    verbose_name = "Stories and trends"

    def ready(self):
        post_migrate.connect(_create_editors_group, sender=self)


def _create_editors_group(sender, using="default", **kwargs):
    """Every migrate (and test-database flush) leaves the editors group in place."""
    from trends.management.commands.create_editors_group import ensure_editors_group

    if using != "default":
        return
    ensure_editors_group()
