from django.conf import settings
from django.core.management.base import BaseCommand

from ingest.models import Feed
from ingest.sources import load_default_feeds


class Command(BaseCommand):
    help = "Load Surge's default list of real outlets' public RSS/Atom feeds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="only when no feed exists yet (first run)"
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and (Feed.objects.exists() or not settings.LOAD_DEFAULT_FEEDS):
            return
        added = load_default_feeds()
        self.stdout.write(f"{added} default feeds added ({Feed.objects.count()} in all)")
