from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingest.opml import NotOpml, read_opml
from ingest.sources import import_feeds


class Command(BaseCommand):
    help = "Add every feed listed in an OPML file (existing feeds are left as they are)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            entries = read_opml(Path(path).read_bytes())
        except (OSError, NotOpml) as exc:
            raise CommandError(str(exc)) from None
        if not entries:
            raise CommandError(f"{path}: no feed in this OPML file (no <outline> with an xmlUrl attribute)")
        added, existing = import_feeds(entries)
        self.stdout.write(f"{added} feeds added, {existing} already there")
