from django.core.management.base import BaseCommand, CommandError

from ingest.category_hints import CATEGORY_CODES, category_hint
from ingest.sources import FeedNotFound, add_feed


class Command(BaseCommand):
    help = "Subscribe to a feed by its URL or by a page of its site (feed autodiscovery)."

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--category", default="", help="the outlet's section, e.g. technology")
        parser.add_argument("--source-name", default="")

    def handle(self, *args, url, category, source_name, **options):
        if category and not category_hint(category):
            self.stderr.write(
                f"category {category!r} is not one of {', '.join(CATEGORY_CODES)} (or a common name for one):"
                " the feed is added without a category hint"
            )
        try:
            feed, created = add_feed(url, category=category, source_name=source_name)
        except FeedNotFound as exc:
            raise CommandError(str(exc)) from None
        verb = "added" if created else "already subscribed:"
        self.stdout.write(f"{verb} {feed.url} ({feed.source.name})")
