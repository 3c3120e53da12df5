"""How well briefs hold to their evidence, in three parts:

    manage.py evaluate_briefs --json
    manage.py evaluate_briefs --parts stream --load   # fresh SURGE_VAR_DIR: loads the stream first

1. verifier: on the Giveme5W1H events, real lead sentences cited to their
   article's lead must pass; the same sentences with one fact altered (a
   name, number or month/day swapped for another event's, a negation added
   or removed) must fail. Also: descriptions checked against their article's
   lead (a paraphrase that may carry facts the lead lacks: informative only).
2. stream: the built-in brief of the 20 largest stories of the labelled
   newsriver stream (after its replay, or loaded with --load): the share of
   citations pointing to articles of the story's main event, redundancy
   (what-happened sentence pairs closer than REDUNDANT_COSINE), outlets cited.
   Each brief's what happened is printed for judging by hand.
3. model: the model writer against a fake endpoint on 127.0.0.1 that plants
   inventions among faithful sentences: inventions removed, faithful kept,
   the supported share the page shows.

The last line with --json is one JSON object."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lab.briefs import evaluation, model, stream, verify
from trends.words.briefs.verifier import Verifier

GIVEME = Path("../shared/data/giveme5w1h/news_cluster.jsonl.gz")
STREAM = Path("../shared/data/newsriver/events-2026-01-02_04.jsonl.gz")
PARTS = ("verifier", "stream", "model")


class Command(BaseCommand):
    help = (
        "Score the verifier, the built-in writer on the labelled stream and the model writer (fake endpoint)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--giveme", type=Path, default=GIVEME)
        parser.add_argument("--stream", type=Path, default=STREAM)
        parser.add_argument(
            "--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}"
        )
        parser.add_argument(
            "--load",
            action="store_true",
            help="stream part: load the labelled stream into this (empty) database first",
        )
        parser.add_argument(
            "--top", type=int, default=20, help="stream part: how many of the largest stories"
        )
        parser.add_argument(
            "--events",
            type=int,
            default=None,
            help="verifier and model parts: only the first N events (a quick run)",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        parts = [p.strip() for p in options["parts"].split(",") if p.strip()]
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise CommandError(f"unknown part(s): {', '.join(sorted(unknown))}")
        for needed, path in (
            ("verifier", options["giveme"]),
            ("model", options["giveme"]),
            ("stream", options["stream"]),
        ):
            if needed in parts and not path.exists():
                raise CommandError(f"{path} does not exist")
        report: dict = {}
        verifier = Verifier()
        if "verifier" in parts or "model" in parts:
            by_event = evaluation.giveme_articles(options["giveme"])
            if options["events"]:
                by_event = dict(sorted(by_event.items())[: options["events"]])
            if options["events"]:
                by_event = dict(sorted(by_event.items())[: options["events"]])
        if "verifier" in parts:
            self.stderr.write("1. verifier on Giveme5W1H sentences …")
            real, altered, paraphrases = verify.verifier_cases(by_event)
            report.update(verify.score_verifier(verifier, real, altered, paraphrases))
        if "stream" in parts:
            report.update(self._stream(options))
        if "model" in parts:
            self.stderr.write("3. model writer against the fake endpoint …")
            report.update(model.score_model_writer(by_event, verifier))
        self._print(report)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _stream(self, options) -> dict:
        from django.core.management import call_command

        from ingest.models import Article

        if options["load"]:
            call_command("migrate", verbosity=0)
        labels = stream.stream_labels(options["stream"])
        present = Article.objects.filter(url__in=list(labels)).exists()
        if not present and options["load"]:
            if Article.objects.exists():
                raise CommandError("--load wants an empty database (set SURGE_VAR_DIR to a new folder)")
            self.stderr.write(f"2. loading {options['stream']} through the pipeline …")
            stream.load_labelled_stream(options["stream"])
        elif not present:
            raise CommandError(
                "the database holds none of the labelled stream's articles: replay it first "
                f"(manage.py replay {options['stream']} --start 2026-01-02T00:00:00Z --days 3) or pass --load"
            )
        self.stderr.write("2. briefs of the largest stories of the labelled stream …")
        return stream.score_stream_briefs(labels, top=options["top"])

    def _print(self, report: dict) -> None:
        r, lines = report, []
        if "verifier_real_pass" in r:
            lines.append(
                f"verifier: real sentences pass {_pct(r['verifier_real_pass'])} of {r['real_sentences']}; "
                f"altered caught {_pct(r['verifier_altered_caught'])} of {r['altered_sentences']}"
            )
            for kind, row in r["altered_caught_by_kind"].items():
                lines.append(f"  {kind:17} caught {_pct(row['caught'])} of {row['n']}")
            lines.append(
                f"  descriptions against their article's lead (paraphrase, informative): pass "
                f"{_pct(r['verifier_paraphrase_pass'])} of {r['paraphrases']}"
            )
        if "citation_purity_top20" in r:
            lines.append(
                f"stream: {r['stories']} stories; citations to the main event "
                f"{_pct(r['citation_purity_top20'])} of {r['citations_with_labels']} "
                f"({r['citations_outside_the_labelled_window']} unlabelled; the stories' own articles: "
                f"{_pct(r['story_article_purity'])} main event; on the {r['clean_stories']} stories at least "
                f"80% one event: {_pct(r['citation_purity_clean_stories'])}); "
                f"briefs with no pair closer than cosine {r['redundancy_cosine']}: "
                f"{_pct(r['briefs_without_redundant_pair'])}; "
                f"outlets cited per brief {r['outlets_cited_per_brief']}"
            )
            for row in r["briefs"]:
                lines.append(f"  #{row['story']} ({row['articles']} articles) main event {row['main_event']}")
                lines.extend(f"      - {text}" for text in row["happened"])
        if "model_inventions_removed" in r:
            lines.append(
                f"model writer ({r['model_events']} events, fake endpoint): planted inventions removed "
                f"{_pct(r['model_inventions_removed'])} of {r['model_planted']}; faithful kept "
                f"{_pct(r['model_faithful_kept'])} of {r['model_faithful']}; supported share shown "
                f"{_pct(r['model_supported_share_shown'])}; fallbacks {r['model_fallbacks_to_built_in']}"
            )
        self.stdout.write("\n".join(lines))


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"
