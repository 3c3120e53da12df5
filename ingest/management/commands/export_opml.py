import sys

from django.core.management.base import BaseCommand

from ingest.opml import write_opml


class Command(BaseCommand):
    help = "Write every feed as OPML 2.0 (to a file, or to standard output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="-")

    def handle(self, *args, output, **options):
        data = write_opml()
        if output == "-":
            sys.stdout.buffer.write(data)
        else:
            with open(output, "wb") as out:
                out.write(data)
